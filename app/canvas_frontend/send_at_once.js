// Recognition Lab: a finished stroke leaves for the server at once (a Streamlit components-v2 module).
//
// streamlit-drawable-canvas sends a drawing 200 ms after mouse-up (a debounce meant for shape editing),
// which is most of what a person waits for a reading. Its toolbar's "Update the app with this drawing"
// button sends at once and cancels the pending send. This module clicks that button right after the
// canvas has handled the mouse-up of a stroke: the drawing sent is exactly the one the canvas would
// have sent 200 ms later. One pair of window listeners serves every canvas of the browser tab.

const INSTALLED = "__recognitionLabSendAtOnce";
const SEND_LABEL = "Update the app with this drawing";

function install() {
  if (window[INSTALLED]) return;
  window[INSTALLED] = true;
  let pressed = null; // the shadow root of the canvas a stroke started on
  window.addEventListener("pointerdown", (event) => {
    const target = event.composedPath()[0];
    const onCanvas = target instanceof HTMLCanvasElement && target.classList.contains("upper-canvas");
    pressed = onCanvas ? target.getRootNode() : null;
  }, true);
  window.addEventListener("pointerup", () => {
    const root = pressed;
    pressed = null;
    if (!root) return;
    // a task, not a microtask: the canvas adds the stroke and saves its history in the same event
    // dispatch and the microtasks after it; the click must come after both
    setTimeout(() => {
      const send = root.querySelector(`button[aria-label="${SEND_LABEL}"]`);
      if (send && !send.disabled) send.click();
    }, 0);
  }, true);
}

export default function () {
  install();
}
