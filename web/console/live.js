// The console's Live card: a live session (POST /v1/live/sessions, then its WebSocket) played
// in a <video> through Media Source Extensions. Type a sentence and the portrait says it.
// Self-contained: it adds its own card to the page and reads the key the console keeps.
'use strict';

(() => {
  const KEY_STORAGE = 'dh-console-key';
  const MIME = 'video/mp4; codecs="avc1.64001f, mp4a.40.2"';

  const el = (tag, attrs = {}, children = []) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child);
    return node;
  };

  const key = () => {
    const field = document.getElementById('api-key');
    return sessionStorage.getItem(KEY_STORAGE) || (field ? field.value.trim() : '');
  };

  // ---- the card ----------------------------------------------------------------------------

  const photo = el('input', { id: 'live-photo', type: 'file', accept: 'image/jpeg,image/png' });
  const voice = el('select', { id: 'live-voice' }, [el('option', { value: '', text: 'Default voice' })]);
  const mode = el('select', { id: 'live-mode' }, [
    el('option', { value: 'std', text: 'std (720p, 25 fps)' }),
    el('option', { value: 'pro', text: 'pro (1080p, 30 fps)' }),
  ]);
  const start = el('button', { id: 'live-start', type: 'button', text: 'Start live session' });
  const stop = el('button', { id: 'live-stop', type: 'button', text: 'End', disabled: '' });
  const video = el('video', { id: 'live-video', playsinline: '', muted: '' });
  video.muted = true;  // autoplay is allowed muted; the button below turns the sound on
  const sound = el('button', { id: 'live-sound', type: 'button', text: 'Sound on', disabled: '' });
  const text = el('input', { id: 'live-text', type: 'text', maxlength: '1000', class: 'grow',
                             placeholder: 'Type a sentence and press Say', disabled: '' });
  const say = el('button', { id: 'live-say', type: 'submit', text: 'Say', disabled: '' });
  const interrupt = el('button', { id: 'live-interrupt', type: 'button', text: 'Interrupt',
                                   disabled: '' });
  const status = el('p', { id: 'live-status', class: 'hint', 'aria-live': 'polite' });
  const form = el('form', { id: 'live-say-form', class: 'row' }, [text, say, interrupt]);

  const card = el('section', { class: 'card', id: 'live-card', 'aria-labelledby': 'live-title' }, [
    el('h2', { id: 'live-title', text: 'Live' }),
    el('p', { class: 'hint', text: 'A portrait that speaks what you type, in real time.' }),
    el('div', { class: 'live-settings' }, [
      el('label', { for: 'live-photo', text: 'Portrait' }), photo,
      el('label', { for: 'live-voice', text: 'Voice' }), voice,
      el('label', { for: 'live-mode', text: 'Quality' }), mode,
    ]),
    el('div', { class: 'row' }, [start, stop, sound]),
    el('div', { class: 'live-stage' }, [video]),
    form,
    status,
  ]);

  // ---- the session -------------------------------------------------------------------------

  let session = null;  // {ws, media, buffer, queue}

  const show = (message) => { status.textContent = message; };
  const setRunning = (running) => {
    start.disabled = running;
    stop.disabled = !running;
    sound.disabled = !running;
    text.disabled = !running;
    say.disabled = !running;
    interrupt.disabled = !running;
  };

  function base64Of(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
      reader.onerror = () => reject(new Error('the photo could not be read'));
      reader.readAsDataURL(file);
    });
  }

  let voicesLoaded = false;
  async function loadVoices() {
    if (voicesLoaded || !key()) return;
    try {
      const response = await fetch('/v1/general/presets-voices',
                                   { headers: { Authorization: `Bearer ${key()}` } });
      const body = await response.json();
      if (body.code !== 0 || voicesLoaded) return;
      voicesLoaded = true;
      for (const v of body.data.voices) {
        voice.append(el('option', { value: v.voice_id,
                                    text: `${v.voice_name} (${v.voice_language})` }));
      }
    } catch (e) {
      // The default voice still works.
    }
  }

  // Appends fragments one at a time, in order.
  function append(data) {
    if (!session || !session.buffer) return;
    session.queue.push(data);
    pump();
  }
  function pump() {
    const s = session;
    if (!s || !s.buffer || s.buffer.updating || s.queue.length === 0) return;
    try {
      s.buffer.appendBuffer(s.queue.shift());
    } catch (e) {
      show(`The browser refused the stream: ${e.message}`);
    }
    // Keeps the picture live: far behind the newest frame (a background tab), jump ahead.
    const ranges = s.buffer.buffered;
    if (ranges.length) {
      const end = ranges.end(ranges.length - 1);
      if (video.currentTime < ranges.start(0)) video.currentTime = ranges.start(0);
      if (end - video.currentTime > 1.5) video.currentTime = end - 0.3;
    }
    if (video.paused) video.play().catch(() => {});
  }

  function onEvent(event) {
    if (event.type === 'speaking_started') show('Speaking…');
    else if (event.type === 'speaking_ended')
      show(event.interrupted ? 'Interrupted. Listening.' : 'Listening.');
    else if (event.type === 'error') show(`Error ${event.code}: ${event.message}`);
  }

  function end(message) {
    if (session) {
      try { session.ws.close(); } catch (e) { /* already closed */ }
      session = null;
    }
    setRunning(false);
    if (message) show(message);
  }

  async function begin() {
    const file = photo.files && photo.files[0];
    if (!key()) return show('Enter your API key above first.');
    if (!file) return show('Choose a portrait photo first.');
    start.disabled = true;
    show('Analysing the portrait…');
    let answer;
    try {
      const body = { image: await base64Of(file), mode: mode.value };
      if (voice.value) body.voice_id = voice.value;
      const response = await fetch('/v1/live/sessions', {
        method: 'POST',
        headers: { Authorization: `Bearer ${key()}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      answer = await response.json();
    } catch (e) {
      start.disabled = false;
      return show('The server could not be reached.');
    }
    if (answer.code !== 0) {
      start.disabled = false;
      return show(`Error ${answer.code}: ${answer.message}`);
    }
    if (!window.MediaSource || !MediaSource.isTypeSupported(MIME)) {
      start.disabled = false;
      return show('This browser cannot play the live stream (no Media Source Extensions).');
    }
    // The socket is on this server's host; the session names the port.
    const url = new URL(answer.data.ws_url);
    url.hostname = location.hostname;
    if (location.protocol === 'https:') url.protocol = 'wss:';

    const media = new MediaSource();
    session = { ws: null, media, buffer: null, queue: [] };
    video.src = URL.createObjectURL(media);
    media.addEventListener('sourceopen', () => {
      if (!session || session.media !== media) return;
      session.buffer = media.addSourceBuffer(MIME);
      session.buffer.addEventListener('updateend', pump);
      const ws = new WebSocket(url.toString());
      ws.binaryType = 'arraybuffer';
      session.ws = ws;
      ws.onopen = () => {
        setRunning(true);
        show('Listening. Type a sentence.');
        text.focus();
      };
      ws.onmessage = ({ data }) => {
        if (typeof data === 'string') onEvent(JSON.parse(data));
        else append(data);
      };
      ws.onclose = (e) => {
        if (session && session.ws === ws) end(`Session ended${e.reason ? `: ${e.reason}` : ''}.`);
      };
    }, { once: true });
  }

  start.addEventListener('click', begin);
  stop.addEventListener('click', () => end('Session ended.'));
  sound.addEventListener('click', () => {
    video.muted = !video.muted;
    sound.textContent = video.muted ? 'Sound on' : 'Sound off';
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const words = text.value.trim();
    if (!session || !session.ws || !words) return;
    session.ws.send(JSON.stringify({ type: 'say', text: words }));
    text.value = '';
  });
  interrupt.addEventListener('click', () => {
    if (session && session.ws) session.ws.send(JSON.stringify({ type: 'interrupt' }));
  });

  const place = () => {
    const main = document.querySelector('main') || document.body;
    main.append(card);
    loadVoices();
    // The key may come later: the voices are listed once it is there.
    const keyForm = document.getElementById('key-form');
    if (keyForm) keyForm.addEventListener('submit', () => setTimeout(loadVoices, 500));
    voice.addEventListener('focus', loadVoices);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', place);
  else place();
})();
