// Live camera frames for Recognition Lab (a Streamlit components-v2 module, plain JS, no build step).
//
// Streamlit calls the default export on mount and again whenever Python sends new `data`, always with
// the same parentElement, so one session per parentElement holds the camera across calls. Python acks
// each frame by sending back its number (`data.done`); the next frame leaves only after that ack and
// the frame interval, so a slow server never builds a queue of stale frames. Frames travel as a state
// value, not a trigger: a trigger that arrives while a run is finishing is reset with that run and lost.

const sessions = new WeakMap();
const ACK_TIMEOUT_MS = 5000; // no ack this long (its run was cut short by another rerun): send anew

function startSession(root) {
  const video = root.querySelector("video");
  const status = root.querySelector(".status");
  const canvas = document.createElement("canvas");
  const s = { video, status, canvas, sent: 0, done: 0, sentAt: 0, acks: [], stream: null,
              timer: null, config: {}, setStateValue: null };
  s.stop = () => {
    clearInterval(s.timer);
    if (s.stream) s.stream.getTracks().forEach((t) => t.stop());
    sessions.delete(root);
  };
  // inside a promise: on a page served over plain http (not localhost) mediaDevices is missing, and
  // the TypeError then reaches the catch below like a refused permission
  Promise.resolve()
    .then(() => navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false }))
    .then((stream) => {
      s.stream = stream;
      video.srcObject = stream;
      status.textContent = "Camera on";
      s.setStateValue("error", null); // an error from an earlier try is over
    })
    .catch((err) => {
      status.textContent = `Camera unavailable: ${err.message || err.name}`;
      s.setStateValue("error", `${err.name}: ${err.message}`);
    });
  s.timer = setInterval(() => tick(s), 20);
  return s;
}

function framesPerSecond(s) {
  const a = s.acks;
  return a.length < 2 ? 0 : (1000 * (a.length - 1)) / (a[a.length - 1] - a[0]);
}

function tick(s) {
  const { video, canvas, config } = s;
  if (!s.stream || video.readyState < 2 || !video.videoWidth) return;
  if (video.checkVisibility && !video.checkVisibility()) return; // its tab is not shown
  const now = performance.now();
  const waiting = s.done < s.sent && now - s.sentAt < ACK_TIMEOUT_MS;
  if (waiting || now - s.sentAt < 1000 / (config.fps || 5)) return;
  const width = Math.min(config.width || 200, video.videoWidth);
  canvas.width = width;
  canvas.height = Math.round((video.videoHeight * width) / video.videoWidth);
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  s.sent += 1;
  s.sentAt = now;
  s.setStateValue("frame", { seq: s.sent, image: canvas.toDataURL("image/jpeg", 0.85),
                             fps: Math.round(framesPerSecond(s) * 10) / 10 });
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let s = sessions.get(parentElement);
  if (!s) {
    s = startSession(parentElement);
    sessions.set(parentElement, s);
  }
  s.setStateValue = setStateValue; // the latest setter: the camera's promise and the timer use it later
  s.config = data || {};
  const done = s.config.done || 0;
  if (done !== s.done) {
    s.acks.push(performance.now()); // frames per second = acks over the last 10
    if (s.acks.length > 10) s.acks.shift();
  }
  s.done = done;
  return s.stop;
}
