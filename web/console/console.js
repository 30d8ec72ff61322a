// The Digital Human console: a thin client of the public API (Kling dialect) plus the console's
// own face-analysis and account endpoints. No framework, no build step.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const KEY_STORAGE = 'dh-console-key';
  const POLL_MS = 1000;
  // While a render has no live stream yet: it appears about a second after the submit.
  const STREAM_POLL_MS = 200;

  const state = {
    key: '',
    account: null,      // {name, balance, rates:{std, pro}}
    portrait: null,     // {file, bitmap, analysis, rejected (reason), upload (promise), url}
    audio: null,        // {file, upload (promise), id, seconds}
    watching: null,     // task id being polled
    pollTimer: null,
    player: null,       // DhPlayer.Player of the result's <video>
    shown: null,        // task id whose stream or video the result area shows
    watchedSince: 0,    // Date.now() when watching began
  };

  // ---- API access -------------------------------------------------------------------------

  class ApiFailure extends Error {
    constructor(status, code, message, requestId) {
      super(message);
      this.status = status;        // HTTP status, 0 when the server could not be reached
      this.code = code;            // business code (1000 ... 5002), -1 for network failures
      this.requestId = requestId || '';
    }
  }

  async function api(method, path, { json, body, contentType } = {}) {
    const headers = {};
    if (state.key) headers.Authorization = `Bearer ${state.key}`;
    let payload = body;
    if (json !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(json);
    } else if (body !== undefined) {
      headers['Content-Type'] = contentType || 'application/octet-stream';
    }
    let response;
    try {
      response = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
    } catch (e) {
      throw new ApiFailure(0, -1, 'network', '');
    }
    let parsed = null;
    try {
      parsed = await response.json();
    } catch (e) {
      parsed = null;
    }
    if (parsed && parsed.error && typeof parsed.error === 'object') {
      // The unified dialect's error shape.
      throw new ApiFailure(response.status, codeFromStatus(response.status),
                           parsed.error.message || '', '');
    }
    if (!response.ok || !parsed || (typeof parsed.code === 'number' && parsed.code !== 0)) {
      const code = parsed && typeof parsed.code === 'number' ? parsed.code
                                                             : codeFromStatus(response.status);
      throw new ApiFailure(response.status, code, (parsed && parsed.message) || '',
                           parsed && parsed.request_id);
    }
    return parsed.data !== undefined ? parsed.data : parsed;
  }

  function codeFromStatus(status) {
    if (status === 401) return 1000;
    if (status === 402) return 1102;
    if (status === 404) return 1202;
    if (status === 429) return 1302;
    if (status >= 500) return 5000;
    return 1200;
  }

  // ---- Errors in words a person understands, next to the field they concern -------------

  function sentence(text) {
    const t = (text || '').trim();
    if (!t) return 'The request failed.';
    const s = t[0].toUpperCase() + t.slice(1);
    return /[.!?]$/.test(s) ? s : `${s}.`;
  }

  // API messages start with the field they concern ("image: ..."): drop it, the page shows
  // the message beside that field.
  function withoutField(message) {
    return (message || '').replace(/^[a-z_][a-z_.]*( \/ [a-z_][a-z_.]*)?:\s*/i, '');
  }

  function humanError(err) {
    if (err.code === -1) {
      return 'Cannot reach the server. Check that dh serve is still running, then try again.';
    }
    const rest = withoutField(err.message);
    switch (err.code) {
      case 1000:
      case 1002:
        return 'This API key was not accepted. Check that you pasted the whole key and that it has not been revoked.';
      case 1001: return 'Enter your API key first.';
      case 1003: return 'This key is not valid yet. Check the clock of the machine that made it.';
      case 1004: return 'This key has expired. Make a new one with dh keys.';
      case 1100: return 'This account is disabled. Ask the operator to enable it.';
      case 1101: return 'This account is in arrears. Ask the operator to top up the key.';
      case 1102: return `Not enough balance for this video: ${rest}`;
      case 1103: return sentence(`This key may not use that: ${rest}`);
      case 1300: return sentence(`The prompt was refused: ${rest}`);
      case 1302: return 'Too many requests at once. Wait a minute and try again.';
      case 1303: return 'You already have as many videos in progress as this key allows. Wait for one to finish.';
      case 1304: return 'This computer is not allowed to use the service. Ask the operator.';
      case 5001: return 'The service is in maintenance. Try again later.';
      case 5002: return 'The server took too long to answer. Try again.';
      case 5000:
        return `Something went wrong on the server. Try again; if it happens again, tell the operator (reference ${err.requestId || 'none'}).`;
      default:
        return sentence(rest);
    }
  }

  const FIELD_OF_PARAM = {
    image: 'image', sound_file: 'audio', audio_id: 'audio', prompt: 'prompt', mode: 'mode',
    text: 'text', voice_id: 'voice', voice_language: 'voice', voice_speed: 'voice',
  };

  // Which field an error belongs to: the key for auth failures, else the field the message
  // names, else `fallback`.
  function fieldOf(err, fallback) {
    if (err.code >= 1000 && err.code <= 1004) return 'api-key';
    if (err.code === 1300) return 'prompt';
    const named = /^([a-z_]+)(?:\.[a-z_]+)?( \/ [a-z_]+)?:/i.exec(err.message || '');
    if (named && FIELD_OF_PARAM[named[1]]) {
      const field = FIELD_OF_PARAM[named[1]];
      return field === 'audio' && voiceSource() === 'text' ? 'text' : field;
    }
    if (/\bno face\b|\bface\b/i.test(err.message || '')) return 'image';
    return fallback || 'form';
  }

  const CONTROL_OF_FIELD = { 'api-key': 'api-key', image: 'image', audio: 'audio', text: 'text',
                             voice: 'voice', prompt: 'prompt', mode: null, form: null, result: null };

  function showError(field, message) {
    const box = $(`${field}-error`) || $('form-error');
    box.textContent = message;
    box.hidden = false;
    const control = CONTROL_OF_FIELD[field] && $(CONTROL_OF_FIELD[field]);
    if (control) control.setAttribute('aria-invalid', 'true');
  }

  function clearError(field) {
    const box = $(`${field}-error`);
    if (box) {
      box.textContent = '';
      box.hidden = true;
    }
    const control = CONTROL_OF_FIELD[field] && $(CONTROL_OF_FIELD[field]);
    if (control) control.removeAttribute('aria-invalid');
  }

  function report(err, fallback) {
    const field = fieldOf(err, fallback);
    showError(field, humanError(err));
    return field;
  }

  // ---- Key and account ----------------------------------------------------------------------

  function formatUnits(value) {
    return Number(value).toFixed(2);
  }

  function showAccount() {
    const box = $('account');
    const a = state.account;
    if (!a) {
      box.hidden = true;
      return;
    }
    const balance = a.balance === null || a.balance === undefined
      ? 'unlimited balance' : `balance ${formatUnits(a.balance)} units`;
    box.textContent = `Key “${a.name}” accepted: ${balance}.`;
    box.classList.toggle('low', a.balance !== null && a.balance !== undefined && a.balance <= 0);
    box.hidden = false;
    updateEstimate();
  }

  async function refreshAccount() {
    try {
      state.account = await api('GET', '/v1/console/account');
    } catch (err) {
      if (err.code === 1202) {
        // A server without the console's account endpoint: the task list checks the key.
        await api('GET', '/v1/videos/avatar/image2video?pageNum=1&pageSize=1');
        state.account = { name: 'key', balance: undefined, rates: null };
      } else {
        throw err;
      }
    }
    showAccount();
  }

  async function useKey(key) {
    clearError('api-key');
    state.key = key.trim();
    if (!state.key) {
      showError('api-key', 'Enter your API key first.');
      return false;
    }
    try {
      await refreshAccount();
    } catch (err) {
      state.account = null;
      showAccount();
      report(err, 'api-key');
      sessionStorage.removeItem(KEY_STORAGE);
      return false;
    }
    sessionStorage.setItem(KEY_STORAGE, state.key);
    loadVoices();
    loadTasks();
    if (state.portrait && !state.portrait.analysis && !state.portrait.rejected) analyzePortrait();
    if (state.audio && !state.audio.id) uploadAudio().catch(() => {});
    return true;
  }

  // ---- Portrait -----------------------------------------------------------------------------

  const CONTOURS = [
    [0, 16, false], [17, 21, false], [22, 26, false], [27, 30, false], [31, 35, false],
    [36, 41, true], [42, 47, true], [48, 59, true], [60, 67, true],
  ];

  function drawPortrait(bitmap, analysis) {
    const canvas = $('portrait-canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const g = canvas.getContext('2d');
    g.drawImage(bitmap, 0, 0);
    if (!analysis) return;
    const line = Math.max(2, Math.round(Math.max(bitmap.width, bitmap.height) / 250));
    const b = analysis.box;
    g.lineWidth = line;
    g.strokeStyle = '#19e3a3';
    g.strokeRect(b.x, b.y, b.width, b.height);
    const p = analysis.landmarks;
    g.strokeStyle = 'rgba(255, 214, 10, 0.85)';
    g.lineWidth = Math.max(1, line / 2);
    for (const [from, to, closed] of CONTOURS) {
      g.beginPath();
      g.moveTo(p[from][0], p[from][1]);
      for (let i = from + 1; i <= to; i++) g.lineTo(p[i][0], p[i][1]);
      if (closed) g.closePath();
      g.stroke();
    }
    g.fillStyle = '#ffd60a';
    for (const [x, y] of p) {
      g.beginPath();
      g.arc(x, y, line * 0.9, 0, Math.PI * 2);
      g.fill();
    }
  }

  function portraitStatus(text) {
    $('image-status').textContent = text;
  }

  async function choosePortrait(file) {
    clearError('image');
    // rejected: why the server refused the photo (shown again on submit), else ''.
    const p = { file, bitmap: null, analysis: null, rejected: '', upload: null, url: null };
    state.portrait = p;
    try {
      p.bitmap = await createImageBitmap(file);
    } catch (e) {
      p.bitmap = null;
    }
    if (state.portrait !== p) return;
    if (p.bitmap) {
      drawPortrait(p.bitmap, null);
      $('portrait').hidden = false;
      $('portrait-canvas').setAttribute('aria-label', `The chosen portrait, ${file.name}`);
    } else {
      $('portrait').hidden = true;
    }
    if (!state.key) {
      portraitStatus('Set your API key to check the face.');
      $('portrait').hidden = !p.bitmap;
      return;
    }
    await analyzePortrait();
  }

  async function analyzePortrait() {
    const p = state.portrait;
    if (!p || !state.key) return;
    clearError('image');
    portraitStatus('Looking for the face…');
    try {
      const a = await api('POST', '/v1/console/analyze-face',
                          { body: p.file, contentType: p.file.type });
      if (state.portrait !== p) return;
      p.analysis = a;
      if (p.bitmap) drawPortrait(p.bitmap, a);
      const more = a.faces_found > 1 ? ` ${a.faces_found} faces found; the largest is used.` : '';
      portraitStatus(`Face found: ${a.box.width} × ${a.box.height} px box, ${a.landmarks.length} landmarks.${more}`);
      $('portrait-canvas').setAttribute('aria-label',
                                        'The portrait with the detected face box and landmarks');
    } catch (err) {
      if (state.portrait !== p) return;
      if (err.code === 1202) {
        portraitStatus('Face preview is not available on this server; the photo is checked when the video is made.');
      } else {
        if (fieldOf(err, 'image') === 'image') p.rejected = humanError(err);
        portraitStatus('');
        report(err, 'image');
        return;
      }
    }
    uploadPortrait().catch(() => {});
  }

  function uploadPortrait() {
    const p = state.portrait;
    if (!p.upload) {
      p.upload = api('POST', '/v1/uploads', { body: p.file, contentType: p.file.type })
        .then((data) => {
          p.url = data.url;
          return data.url;
        })
        .catch((err) => {
          p.upload = null;
          if (state.portrait === p) {
            if (fieldOf(err, 'image') === 'image') p.rejected = humanError(err);
            report(err, 'image');
          }
          throw err;
        });
    }
    return p.upload;
  }

  // ---- Voice --------------------------------------------------------------------------------

  function voiceSource() {
    const checked = document.querySelector('input[name="voice-source"]:checked');
    return checked ? checked.value : 'file';
  }

  function showVoicePanel() {
    const text = voiceSource() === 'text';
    $('voice-file-panel').hidden = text;
    $('voice-text-panel').hidden = !text;
    updateEstimate();
  }

  function chooseAudio(file) {
    clearError('audio');
    const preview = $('audio-preview');
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
    state.audio = { file, upload: null, id: null, seconds: null };
    if (!state.key) {
      $('audio-status').textContent = 'Set your API key to upload the recording.';
      return;
    }
    uploadAudio().catch(() => {});
  }

  function uploadAudio() {
    const a = state.audio;
    if (!a.upload) {
      $('audio-status').textContent = 'Uploading the recording…';
      a.upload = api('POST', '/v1/uploads', { body: a.file, contentType: a.file.type })
        .then((data) => {
          if (data.kind !== 'audio') {
            throw new ApiFailure(400, 1201, 'sound_file: this file is an image, not a recording');
          }
          a.id = data.audio_id || data.id;
          a.seconds = Number(data.duration);
          if (state.audio === a) {
            $('audio-status').textContent = `Recording uploaded: ${a.seconds.toFixed(1)} s.`;
            updateEstimate();
          }
          return a.id;
        })
        .catch((err) => {
          a.upload = null;
          if (state.audio === a) {
            $('audio-status').textContent = '';
            report(err, 'audio');
          }
          throw err;
        });
    }
    return a.upload;
  }

  async function loadVoices() {
    const select = $('voice');
    try {
      const data = await api('GET', '/v1/general/presets-voices');
      select.textContent = '';
      for (const v of data.voices || []) {
        const option = document.createElement('option');
        option.value = v.voice_id;
        option.dataset.language = v.voice_language || '';
        option.textContent = v.voice_name || v.voice_id;
        select.appendChild(option);
      }
    } catch (err) {
      select.textContent = '';
      const option = document.createElement('option');
      option.value = '';
      option.textContent = err.code === 1202 ? 'Text to speech is not available on this server'
                                             : 'Voices could not be loaded';
      select.appendChild(option);
    }
  }

  function updateEstimate() {
    const box = $('estimate');
    const rates = state.account && state.account.rates;
    const seconds = voiceSource() === 'file' && state.audio ? state.audio.seconds : null;
    if (!rates || !seconds) {
      box.textContent = '';
      return;
    }
    const mode = selectedMode();
    box.textContent = `Estimated charge: ${formatUnits(seconds * rates[mode])} units (${seconds.toFixed(1)} s × ${rates[mode]} units/s in ${mode}).`;
  }

  function selectedMode() {
    const checked = document.querySelector('input[name="mode"]:checked');
    return checked ? checked.value : 'std';
  }

  // ---- Submitting and watching ------------------------------------------------------------

  const ALL_FIELDS = ['image', 'audio', 'text', 'voice', 'mode', 'prompt', 'form', 'result'];

  // Runs `work`; a failure is shown beside the field it concerns (or `fallback`) and rethrown.
  async function step(fallback, work) {
    try {
      return await work();
    } catch (err) {
      if (!err.shown) {
        report(err, fallback);
        err.shown = true;
      }
      throw err;
    }
  }

  function focusFirstError() {
    const first = ['api-key', ...ALL_FIELDS].find((f) => $(`${f}-error`) && !$(`${f}-error`).hidden);
    if (!first) return;
    const control = CONTROL_OF_FIELD[first] ? $(CONTROL_OF_FIELD[first]) : null;
    if (control) control.focus();
    else $(`${first}-error`).scrollIntoView({ block: 'center' });
  }

  async function submit(event) {
    event.preventDefault();
    ALL_FIELDS.forEach(clearError);
    let missing = false;
    if (!state.key || !state.account) {
      showError('api-key', state.key ? 'Press “Use key” to check your key first.'
                                     : 'Enter your API key first.');
      missing = true;
    }
    if (!state.portrait) {
      showError('image', 'Choose a portrait photo.');
      missing = true;
    } else if (state.portrait.rejected) {
      showError('image', state.portrait.rejected);
      missing = true;
    }
    const source = voiceSource();
    const text = $('text').value.trim();
    if (source === 'file' && !state.audio) {
      showError('audio', 'Choose a voice recording, or switch to “Type text”.');
      missing = true;
    }
    if (source === 'text' && !text) {
      showError('text', 'Type the text to speak.');
      missing = true;
    }
    if (missing) {
      focusFirstError();
      return;
    }
    const button = $('submit');
    button.disabled = true;
    button.textContent = 'Sending…';
    try {
      const image = await step('image', () => uploadPortrait());
      let audioId;
      if (source === 'file') {
        audioId = await step('audio', () => uploadAudio());
      } else {
        const select = $('voice');
        const option = select.selectedOptions[0];
        const tts = await step('text', () => api('POST', '/v1/audio/tts', {
          json: {
            text,
            voice_id: select.value,
            voice_language: option ? option.dataset.language : '',
            voice_speed: Number($('speed').value) || 1.0,
          },
        }));
        const speech = tts.task_result.audios[0];
        audioId = speech.id;
        $('text-status').textContent = `Speech made: ${Number(speech.duration).toFixed(2)} s.`;
      }
      const task = await step('form', () => api('POST', '/v1/videos/avatar/image2video', {
        json: { image, audio_id: audioId, mode: selectedMode(), prompt: $('prompt').value },
      }));
      watch(task.task_id);
      loadTasks();
    } catch (err) {
      focusFirstError();
    } finally {
      button.disabled = false;
      button.textContent = 'Make the video';
    }
  }

  function stopWatching() {
    if (state.pollTimer) clearTimeout(state.pollTimer);
    state.pollTimer = null;
    state.watching = null;
  }

  function setProgress(label, value) {
    $('progress-box').hidden = false;
    $('progress-label').textContent = label;
    $('progress').value = value;
  }

  function watch(taskId) {
    stopWatching();
    clearError('result');
    state.watching = taskId;
    state.watchedSince = Date.now();
    if (state.shown !== taskId) {
      state.shown = null;
      state.player.reset();
      $('result').hidden = true;
    }
    $('result-empty').hidden = true;
    setProgress('Queued: waiting for a worker…', 0);
    poll(taskId);
  }

  async function poll(taskId) {
    if (state.watching !== taskId) return;
    let job;
    try {
      job = await api('GET', `/v1/video/generations/${encodeURIComponent(taskId)}`);
    } catch (err) {
      if (state.watching !== taskId) return;
      if (err.code === -1 || err.code >= 5000 || err.code === 1302) {
        setProgress('Lost contact with the server; retrying…', $('progress').value);
        state.pollTimer = setTimeout(() => poll(taskId), POLL_MS * 3);
        return;
      }
      stopWatching();
      $('progress-box').hidden = true;
      report(err, 'result');
      return;
    }
    if (state.watching !== taskId) return;
    if (job.status === 'queued') {
      setProgress('Queued: waiting for a worker…', 0);
    } else if (job.status === 'processing') {
      const pct = Math.max(0, Math.min(100, Number(job.progress) || 0));
      setProgress(`Rendering… ${Math.round(pct)} %`, pct);
      if (job.stream_url) await showLive(taskId, job);
    } else {
      stopWatching();
      await showTask(taskId);
      loadTasks();
      refreshAccount().catch(() => {});
      return;
    }
    // Quickly while the stream is about to appear: rendering, or just submitted.
    const soon = !job.stream_url &&
      (job.status === 'processing' || Date.now() - state.watchedSince < 10000);
    state.pollTimer = setTimeout(() => poll(taskId), soon ? STREAM_POLL_MS : POLL_MS);
  }

  // Plays a rendering task's live stream in the result area (once per task).
  async function showLive(taskId, job) {
    if (state.shown === taskId) return;
    state.shown = taskId;
    clearError('result');
    $('result-empty').hidden = true;
    $('result').hidden = false;
    $('result').dataset.state = 'live';
    $('download').hidden = true;
    $('result-meta').textContent = 'Live: playing while the rest renders.';
    showApplied(job.prompt_applied);
    const playing = await state.player.playStream(job.stream_url);
    if (!playing && state.shown === taskId) {
      $('result-meta').textContent = 'This browser cannot play the live stream; the video appears here when it is done.';
    }
  }

  // What the task's prompt applied, e.g. ["energy:calm", "expression:smile(0.50)"].
  function showApplied(applied) {
    const list = $('prompt-applied');
    list.textContent = '';
    const items = Array.isArray(applied) ? applied : [];
    for (const item of items) {
      const li = document.createElement('li');
      li.textContent = item;
      list.appendChild(li);
    }
    $('prompt-applied-none').hidden = items.length > 0;
    $('prompt-applied-box').hidden = !Array.isArray(applied);
  }

  const STATUS_WORDS = { submitted: 'Queued', processing: 'Rendering', succeed: 'Done', failed: 'Failed' };

  // Shows a finished task (its video, or why it failed) in the result area.
  async function showTask(taskId) {
    let task;
    try {
      task = await api('GET', `/v1/videos/avatar/image2video/${encodeURIComponent(taskId)}`);
    } catch (err) {
      $('progress-box').hidden = true;
      report(err, 'result');
      return;
    }
    if (task.task_status === 'submitted' || task.task_status === 'processing') {
      watch(taskId);
      return;
    }
    $('progress-box').hidden = true;
    if (task.task_status === 'failed') {
      state.shown = null;
      state.player.reset();
      $('result').hidden = true;
      $('result-empty').hidden = true;
      const err = new ApiFailure(400, 1201, task.task_status_msg || 'the render failed');
      showError('result', `This video could not be made. ${humanError(err)}`);
      return;
    }
    const video = task.task_result.videos[0];
    clearError('result');
    $('result-empty').hidden = true;
    $('result').hidden = false;
    $('result').dataset.state = 'done';
    const continuing = state.shown === task.task_id;
    state.shown = task.task_id;
    state.player.playFile(video.url, { continuing });
    showApplied(task.task_info && task.task_info.prompt_applied);
    $('download').hidden = false;
    $('download').href = video.url;
    $('download').setAttribute('download', `${task.task_id}.mp4`);
    $('result-meta').textContent = `${Number(video.duration).toFixed(2)} s · charged ${formatUnits(task.final_unit_deduction)} units`;
  }

  // ---- Task list ----------------------------------------------------------------------------

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  async function loadTasks() {
    const body = $('task-rows');
    let tasks;
    try {
      tasks = await api('GET', '/v1/videos/avatar/image2video?pageNum=1&pageSize=20');
    } catch (err) {
      body.textContent = '';
      const row = document.createElement('tr');
      cell(row, humanError(err), 'muted').colSpan = 5;
      body.appendChild(row);
      return;
    }
    body.textContent = '';
    if (!tasks.length) {
      const row = document.createElement('tr');
      cell(row, 'No tasks yet.', 'muted').colSpan = 5;
      body.appendChild(row);
      return;
    }
    for (const t of tasks) {
      const row = document.createElement('tr');
      const created = new Date(t.created_at);
      const today = created.toDateString() === new Date().toDateString();
      cell(row, today ? created.toLocaleTimeString()
                      : created.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }));
      const status = cell(row, STATUS_WORDS[t.task_status] || t.task_status, `status-${t.task_status}`);
      if (t.task_status_msg) status.title = t.task_status_msg;
      const video = t.task_result && t.task_result.videos && t.task_result.videos[0];
      cell(row, video ? `${Number(video.duration).toFixed(1)} s` : '–');
      cell(row, t.task_status === 'succeed' ? formatUnits(t.final_unit_deduction) : '–');
      const action = document.createElement('td');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'small';
      button.textContent = t.task_status === 'succeed' ? 'Play'
        : t.task_status === 'failed' ? 'Why?' : 'Watch';
      button.setAttribute('aria-label', `${button.textContent} task created ${created.toLocaleTimeString()}`);
      button.addEventListener('click', () => {
        stopWatching();
        showTask(t.task_id);
        $('result-title').scrollIntoView({ block: 'start' });
      });
      action.appendChild(button);
      row.appendChild(action);
      body.appendChild(row);
    }
  }

  // ---- Wiring -------------------------------------------------------------------------------

  function dropZone(zone, input, onFile) {
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      zone.classList.add('dragging');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('dragging');
      const file = e.dataTransfer.files && e.dataTransfer.files[0];
      if (!file) return;
      const transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      onFile(file);
    });
    input.addEventListener('change', () => {
      if (input.files && input.files[0]) onFile(input.files[0]);
    });
  }

  function init() {
    state.player = new window.DhPlayer.Player($('video'));
    state.player.onProblem = (message) => showError('result', sentence(message));
    $('key-form').addEventListener('submit', (e) => {
      e.preventDefault();
      useKey($('api-key').value);
    });
    dropZone($('image-drop'), $('image'), choosePortrait);
    dropZone($('audio-drop'), $('audio'), chooseAudio);
    document.querySelectorAll('input[name="voice-source"]').forEach((r) => r.addEventListener('change', showVoicePanel));
    document.querySelectorAll('input[name="mode"]').forEach((r) => r.addEventListener('change', updateEstimate));
    $('prompt').addEventListener('input', () => {
      $('prompt-count').textContent = `${$('prompt').value.length} / 2500`;
      clearError('prompt');
    });
    $('text').addEventListener('input', () => {
      clearError('text');
      $('text-status').textContent = '';
    });
    $('new-video').addEventListener('submit', submit);
    $('refresh').addEventListener('click', () => {
      loadTasks();
      if (state.key) refreshAccount().catch(() => {});
    });
    showVoicePanel();
    const saved = sessionStorage.getItem(KEY_STORAGE);
    if (saved) {
      $('api-key').value = saved;
      useKey(saved);
    }
  }

  init();
})();
