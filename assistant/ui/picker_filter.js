() => {
  // Gradio's dropdowns filter their choices on keydown, with the text the box held before the
  // key: Chinese committed by an input method (and pasted text) arrives after the last keydown,
  // so the list stayed unfiltered on it. Each committed input of a dropdown's text box is
  // handed to the same filter as a keydown, once the box holds the new text, and as a keyup
  // (a picker of a large library asks the server for the matching reports on keyup).
  const refilter = (event) => {
    const box = event.target;
    if (event.isComposing || !(box instanceof HTMLInputElement)) return;
    if (!box.matches("input[role=combobox][aria-autocomplete=list]")) return;
    setTimeout(() => {
      for (const type of ["keydown", "keyup"]) {
        box.dispatchEvent(new KeyboardEvent(type, { key: "Unidentified", bubbles: true }));
      }
    });
  };
  document.addEventListener("input", refilter, true);
  document.addEventListener("compositionend", refilter, true);
}
