"""The session cgroup's files on a cgroup v2 (unified) host, written into a directory laid out like
/sys/fs/cgroup (this machine is v1, where tests/integration/test_attack_budget.py uses the real one)."""

from __future__ import annotations

from sandbox.gateway import cgroups

MiB = 1024 * 1024


def _v2_root(tmp_path, controllers="cpuset cpu io memory pids"):
    (tmp_path / "cgroup.controllers").write_text(controllers + "\n")
    (tmp_path / "cgroup.subtree_control").write_text("cpu\n")
    return tmp_path


def _kernel_makes_files(path):
    """mkdir in cgroupfs creates the control files; a plain directory needs them made."""
    for name in ("cgroup.subtree_control", "memory.max", "memory.swap.max", "cpu.max", "pids.max"):
        (path / name).touch()


def test_v2_session_cgroup_gets_the_totals_and_enables_controllers(tmp_path):
    root = _v2_root(tmp_path)
    assert cgroups.version(root) == 2
    (root / "atlas").mkdir()
    _kernel_makes_files(root / "atlas")
    for d in (root / "atlas" / "s1", root / "atlas" / "s1" / "run"):
        d.mkdir()
        _kernel_makes_files(d)
    cg = cgroups.SessionCgroup("s1", 300 * MiB, 1.5, 200, 64, 100 * MiB, root=root)
    assert cg.create() == "/atlas/s1"
    assert cg.run_parent == "/atlas/s1/run"
    assert (root / "atlas" / "s1" / "run" / "pids.max").read_text() == "136"
    assert (root / "atlas" / "s1" / "run" / "memory.max").read_text() == str(200 * MiB)
    d = root / "atlas" / "s1"
    assert (d / "memory.max").read_text() == str(300 * MiB)
    assert (d / "memory.swap.max").read_text() == "0"
    assert (d / "cpu.max").read_text() == "150000 100000"
    assert (d / "pids.max").read_text() == "200"
    assert set((root / "cgroup.subtree_control").read_text().split()) >= {"+memory", "+pids"}
    enabled = set((root / "atlas" / "cgroup.subtree_control").read_text().split())
    assert enabled == {"+cpu", "+memory", "+pids"}


def test_v2_without_the_memory_controller_is_a_clear_error(tmp_path):
    root = _v2_root(tmp_path, "cpu pids")
    problem = cgroups.probe(root)
    assert "memory" in problem and str(root) in problem


def test_no_cgroup_hierarchy_is_reported_not_ignored(tmp_path):
    assert cgroups.version(tmp_path) == 0
    assert "no cgroup" in cgroups.probe(tmp_path)
