"""Category tables on a phone: one readable card per component, never squeezed columns."""

from __future__ import annotations


def test_category_table_becomes_cards_on_a_phone(browser, site_url, artifacts):
    phone = {"width": 375, "height": 740}
    context = browser.new_context(viewport=phone, device_scale_factor=2, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(site_url + "/zh/categories/runtimes/")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # every name is on one line (a squeezed column broke "containerd" into one letter per line)
        heights = page.evaluate(
            "[...document.querySelectorAll('table.atlas-compare td:first-child')]"
            ".map(td => td.getBoundingClientRect().height / parseFloat(getComputedStyle(td).lineHeight))"
        )
        assert heights and max(heights) < 2, heights
        status = "document.querySelector('table.atlas-compare td:nth-child(3)')"
        label = page.evaluate(f"getComputedStyle({status}, '::before').content")
        assert label == '"状态："'
        page.screenshot(path=str(artifacts / "site-category-phone.png"), full_page=False)
    finally:
        context.close()


def test_category_table_keeps_its_columns_on_a_desktop(page, site_url):
    page.goto(site_url + "/categories/runtimes/")
    header = page.evaluate("getComputedStyle(document.querySelector('table.atlas-compare thead')).display")
    assert header == "table-header-group"
