/* Container Atlas — every UI string the page scripts show, English and Chinese side by side.
 *
 * One entry per string: "<module>.<name>": {en, zh}. `{name}` marks a value filled in by
 * common.js's t(key, {name: value}). One Chinese term per concept, as in the rest of the site:
 * the sandbox is 沙箱 (never 沙盒), a session 会话, a step 步骤, a tutorial 教程, a check 检查.
 * tests/unit/test_js_strings.py checks that every entry has both languages with the same
 * placeholders, that every key a script uses exists, and that no ruled-out term appears.
 */

export const STRINGS = {
  // terminal.js: ▶ Run / Copy on a command block, and the sandbox terminal panel
  "terminal.run": { en: "▶ Run", zh: "▶ 运行" },
  "terminal.runLabel": { en: "Run this command in a sandbox terminal", zh: "在沙箱终端中运行这条命令" },
  "terminal.copy": { en: "Copy", zh: "复制" },
  "terminal.copyLabel": { en: "Copy this command", zh: "复制这条命令" },
  "terminal.copied": { en: "Copied", zh: "已复制" },
  "terminal.copyFailed": { en: "Copy failed", zh: "复制失败" },
  "terminal.offline": { en: "Sandbox offline", zh: "沙箱离线" },
  "terminal.offlineMsg": {
    en: "The sandbox service is not running on this site (offline or static hosting). " +
      "Copy the command and run it on your own machine.",
    zh: "本站没有运行沙箱服务（离线或静态托管）。请复制命令，在你自己的机器上运行。",
  },
  "terminal.title": { en: "Sandbox terminal ({profile})", zh: "沙箱终端（{profile}）" },
  "terminal.connecting": { en: "Starting a sandbox…", zh: "正在启动沙箱…" },
  "terminal.connected": { en: "Connected", zh: "已连接" },
  "terminal.reconnecting": { en: "Reconnecting…", zh: "正在重新连接…" },
  "terminal.ctrlc": { en: "Ctrl-C", zh: "Ctrl-C" },
  "terminal.ctrlcLabel": {
    en: "Send Ctrl-C (interrupt the running command)",
    zh: "发送 Ctrl-C（中断正在运行的命令）",
  },
  "terminal.end": { en: "End", zh: "结束" },
  "terminal.endLabel": {
    en: "End this sandbox session and remove its container",
    zh: "结束这个沙箱会话并删除它的容器",
  },
  "terminal.left": { en: "{time} left", zh: "剩余 {time}" },
  "terminal.leftLabel": { en: "Time left in this sandbox session", zh: "沙箱会话的剩余时间" },
  "terminal.exit": {
    en: "The shell exited (code {code}). Press ▶ to start a new sandbox.",
    zh: "Shell 已退出（退出码 {code}）。点击 ▶ 启动新的沙箱。",
  },
  "terminal.expired.idle": {
    en: "The sandbox was removed after being idle too long. Press ▶ to start a new one.",
    zh: "沙箱空闲太久，已被删除。点击 ▶ 启动新的沙箱。",
  },
  "terminal.expired.lifetime": {
    en: "The sandbox reached its time limit and was removed. Press ▶ to start a new one.",
    zh: "沙箱已到时间上限，已被删除。点击 ▶ 启动新的沙箱。",
  },
  "terminal.expired.shutdown": { en: "The sandbox service is shutting down.", zh: "沙箱服务正在关闭。" },
  "terminal.expired.deleted": {
    en: "The session was closed. Press ▶ to start a new one.",
    zh: "会话已关闭。点击 ▶ 启动新的沙箱。",
  },
  "terminal.expired.other": {
    en: "The sandbox session ended. Press ▶ to start a new one.",
    zh: "沙箱会话已结束。点击 ▶ 启动新的沙箱。",
  },
  "terminal.busy429": {
    en: "You have too many sandboxes open. Close one (End) and try again.",
    zh: "你打开的沙箱太多了。请先关闭一个（点击“结束”），再试一次。",
  },
  "terminal.busy503": {
    en: "The sandbox is full right now. Please try again in a few minutes.",
    zh: "沙箱现在已满，请几分钟后再试。",
  },
  "terminal.lost": {
    en: "The connection to the sandbox was lost. Press ▶ to reconnect.",
    zh: "与沙箱的连接已断开。点击 ▶ 重新连接。",
  },
  "terminal.failed": { en: "Could not start a sandbox: {reason}", zh: "无法启动沙箱：{reason}" },

  // tutorial.js: Check buttons, progress, the self-check quiz, preview links
  "tutorial.check": { en: "Check", zh: "检查" },
  "tutorial.checking": { en: "Checking…", zh: "正在检查…" },
  "tutorial.done": { en: "Done", zh: "完成" },
  "tutorial.notYet": { en: "Not yet", zh: "还没有完成" },
  "tutorial.doneBefore": { en: "Done earlier", zh: "之前已完成" },
  "tutorial.mark": { en: "Mark as done", zh: "标记为已完成" },
  "tutorial.unmark": { en: "Mark as not done", zh: "标记为未完成" },
  "tutorial.noSession": {
    en: "Start the sandbox first: press ▶ on a command of this step.",
    zh: "请先启动沙箱：点击这一步命令上的 ▶。",
  },
  "tutorial.offline": {
    en: "The sandbox service is not reachable, so this step cannot be checked here.",
    zh: "无法连接沙箱服务，因此这里无法检查这一步。",
  },
  "tutorial.expired": {
    en: "Your sandbox has ended. Press ▶ to start a new one, then redo the step.",
    zh: "你的沙箱已经结束。点击 ▶ 启动一个新的沙箱，然后重做这一步。",
  },
  "tutorial.failed": { en: "The check could not run: {reason}", zh: "检查无法运行：{reason}" },
  "tutorial.progress": {
    en: "Progress: {done} of {total} steps done",
    zh: "进度：已完成 {done} / {total} 步",
  },
  "tutorial.reset": { en: "Reset progress", zh: "重置进度" },
  "tutorial.next": { en: "Next tutorial: ", zh: "下一篇教程：" },
  "tutorial.finished": { en: "— you finished this tutorial.", zh: "——你已完成本教程。" },
  "tutorial.quizCheck": { en: "Check answers", zh: "检查答案" },
  "tutorial.quizScore": { en: "{right} of {total} correct", zh: "答对 {right} / {total} 题" },
  "tutorial.quizAll": { en: "All correct!", zh: "全部正确！" },
  "tutorial.quizMissing": { en: "No answer.", zh: "未作答。" },
  "tutorial.preview": { en: "Open the preview of port {port}", zh: "打开 {port} 端口的预览" },
  "tutorial.previewHint": {
    en: "The link works once the sandbox runs (press ▶ first).",
    zh: "沙箱运行后链接才可用（请先点击 ▶）。",
  },

  // graph.js: the graph explorer
  "graph.search": { en: "Find a component (name or alias)", zh: "查找组件（名称或别名）" },
  "graph.from": { en: "From", zh: "起点" },
  "graph.to": { en: "To", zh: "终点" },
  "graph.path": { en: "Show path", zh: "显示路径" },
  "graph.layers": { en: "Layers", zh: "层" },
  "graph.kinds": { en: "Kinds", zh: "类型" },
  "graph.relations": { en: "Relation types", zh: "关系类型" },
  "graph.clear": { en: "Clear", zh: "清除" },
  "graph.nopath": {
    en: "No path between these components with the current filters.",
    zh: "在当前筛选条件下，这两个组件之间没有路径。",
  },
  "graph.unknown": { en: "Unknown component: {name}", zh: "未知组件：{name}" },
  "graph.pathlen": { en: "Path with {n} steps:", zh: "路径共 {n} 步：" },
  "graph.shown": { en: "{n} components, {m} relations shown.", zh: "显示 {n} 个组件、{m} 条关系。" },
  "graph.open": { en: "Open its page: {name}", zh: "打开它的页面：{name}" },
  "graph.loading": { en: "Loading the graph…", zh: "正在加载关系图…" },
  "graph.failed": { en: "Could not load the graph: {reason}", zh: "无法加载关系图：{reason}" },
  "graph.panel": { en: "Search and filters", zh: "搜索与筛选" },
  "graph.fullscreen": { en: "Full screen", zh: "全屏" },
  "graph.legend": { en: "Legend", zh: "图例" },
  "graph.status": { en: "Status", zh: "状态" },
  "graph.neighbours": { en: "{n} direct relations", zh: "{n} 条直接关系" },
  "graph.canvas": {
    en: "Graph of the components, grouped by category: the arrow keys move to the nearest component in that direction, Enter opens its page, Escape clears",
    zh: "按分类分组的组件关系图：方向键移到该方向上最近的组件，回车打开它的页面，Esc 清除选择",
  },
  "graph.role": { en: "graph", zh: "关系图" },

  // pyrun.js: runnable Python blocks
  "python.run": { en: "▶ Run", zh: "▶ 运行" },
  "python.stop": { en: "■ Stop", zh: "■ 停止" },
  "python.reset": { en: "Reset", zh: "重置" },
  "python.code": { en: "Python code, editable", zh: "Python 代码（可编辑）" },
  "python.output": { en: "Output", zh: "输出" },
  "python.runLabel": { en: "Run this Python code", zh: "运行这段 Python 代码" },
  "python.stopLabel": { en: "Stop this Python code", zh: "停止运行这段 Python 代码" },
  "python.resetLabel": { en: "Reset to the original code", zh: "重置为原始代码" },
  "python.loading": { en: "Loading Python…", zh: "正在加载 Python…" },
  "python.packages": { en: "Loading the knowledge graph…", zh: "正在加载知识图谱…" },
  "python.running": { en: "Running…", zh: "运行中…" },
  "python.queued": { en: "Waiting for another block…", zh: "等待其他代码块…" },
  "python.done": { en: "Done in {s} s", zh: "完成，用时 {s} 秒" },
  "python.error": { en: "Error (see the traceback)", zh: "出错（见下方回溯）" },
  "python.stopped": { en: "Stopped.", zh: "已停止。" },
  "python.fatal": { en: "Python could not start: {reason}", zh: "Python 无法启动：{reason}" },
  "python.missing": { en: "Missing package: {p}", zh: "缺少软件包：{p}" },
  "python.loaded": { en: " (Python loaded in {s} s)", zh: "（加载 Python 用时 {s} 秒）" },
  "python.noOutput": { en: "(no output)", zh: "（无输出）" },
  "python.hint": {
    en: "Ctrl+Enter runs; Esc then Tab leaves the editor",
    zh: "Ctrl+Enter 运行；先按 Esc 再按 Tab 可离开编辑器",
  },
};
