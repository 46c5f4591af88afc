() => {
  // The page's behaviour beyond Gradio's own (run once when the page loads):
  // 1. Gradio's built-in strings read Chinese whatever the browser's language (Gradio picks
  //    its translations from navigator.language; an English browser would show
  //    "Drop File Here"): text nodes equal to one of these are replaced.
  // 2. The chat scrolls to the START of a new answer (Gradio's autoscroll shows its end, and
  //    the first lines hide above).
  // 3. [n] in an answer links to citation card n: a click scrolls to it and highlights it.
  const CHINESE = {
    "Drop File Here": "将文件拖放到此处",
    "- or -": "- 或 -",
    "Click to Upload": "点击上传",
    "Loading": "加载中",
    "Loading...": "加载中…",
    "Loading…": "加载中…",
    "Uploading...": "正在上传…",
    "Error": "错误",
    "Clear": "清除",
    "Submit": "提交",
    "Examples": "示例",
    "Drop CSV Here": "将 CSV 文件拖放到此处",
    "Paste from Clipboard": "从剪贴板粘贴",
    "No results": "没有结果",
    "Search": "搜索",
  };
  const translate = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const said = node.nodeValue.trim();
      if (said && Object.hasOwn(CHINESE, said)) {
        node.nodeValue = node.nodeValue.replace(said, CHINESE[said]);
      }
    }
  };

  // The new answer is "pinned": while it renders (the pending bubble, then the message, then
  // its streamed growth) its start is kept at the top of the chat, until the user scrolls.
  let answers = 0; // bot messages seen
  let pinned = null; // the answer whose start is kept in view
  const scroller = (node) => {
    for (let box = node.parentElement; box && box !== document.body; box = box.parentElement) {
      if (box.scrollHeight > box.clientHeight + 1 && /auto|scroll/.test(getComputedStyle(box).overflowY)) {
        return box;
      }
    }
    return null;
  };
  const keepAnswerStartInView = () => {
    const bots = document.querySelectorAll("#chatbot [data-testid='bot']");
    const latest = bots[bots.length - 1];
    if (bots.length > answers) {
      pinned = latest;
    } else if (pinned && !pinned.isConnected) {
      pinned = latest || null; // the pending bubble was replaced by the message
    }
    answers = bots.length;
    const box = pinned && scroller(pinned);
    if (!box) return;
    const offset = pinned.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    if (Math.abs(offset) > 1) box.scrollTop += offset;
  };
  const letGo = (event) => { // the user scrolls the chat: leave it where they put it
    if (event.target.closest && event.target.closest("#chatbot")) pinned = null;
  };
  for (const kind of ["wheel", "touchmove", "keydown", "mousedown"]) {
    document.addEventListener(kind, letGo, { capture: true, passive: true });
  }

  const observer = new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) translate(node);
        else if (node.nodeType === Node.TEXT_NODE) translate(node.parentNode || document.body);
      }
      if (change.type === "characterData" && change.target.parentNode) {
        translate(change.target.parentNode);
      }
    }
    keepAnswerStartInView();
  });
  translate(document.body);
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.cite-ref");
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const card = document.getElementById(link.getAttribute("href").slice(1));
    if (!card) return;
    card.scrollIntoView({ behavior: "smooth", block: "center" });
    card.classList.remove("cite-flash");
    void card.offsetWidth; // restart the highlight when the same card is clicked again
    card.classList.add("cite-flash");
  }, true);
}
