// The TelAPI simulator's phone page (simulator/README.md, "The phone page"). Plain script, no framework.
//
// It drives the simulator's control API (/_simulator) with the session the simulator wrote into the
// page (a header, never the URL): it places inbound calls on a voice URL, follows each call's
// transcript by long polling (GET /calls/{CallSid}/events?after=&wait_ms=), presses keys, hangs up,
// and waits for calls made to its own number (GET /calls?To=&Status=ringing&wait_ms=) to answer or
// reject them.
(function phone() {
  'use strict';

  const WAIT_MS = 25000;
  const RETRY_MS = 2000;
  /** The voice node's default fallback (docs/design.md): a flow that did not answer in time. */
  const DEFAULT_FALLBACK_TEXT = 'We are sorry, this call cannot be answered now.';
  const SLOW_MS = 5000;

  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';
  const query = new URLSearchParams(location.search);
  const SESSION = meta('telapi-phone-session');
  const NUMBER = (query.get('number') || meta('telapi-phone-number')).trim();

  const $ = (id) => document.getElementById(id);
  const ui = {
    form: $('dial'),
    fields: $('dial-fields'),
    to: $('to'),
    url: $('url'),
    urlError: $('url-error'),
    method: $('method'),
    call: $('call'),
    sound: $('sound'),
    soundHint: $('sound-hint'),
    incoming: $('incoming'),
    incomingFrom: $('incoming-from'),
    answer: $('answer'),
    reject: $('reject'),
    status: $('status'),
    clock: $('clock'),
    problem: $('problem'),
    now: $('now'),
    listening: $('listening'),
    recording: $('recording'),
    recordingText: $('recording-text'),
    keypad: $('keypad'),
    keys: $('keys'),
    hangup: $('hangup'),
    heard: $('heard'),
    requests: $('requests'),
    callInfo: $('call-info'),
  };

  /** An element with attributes/properties and children (text or nodes); text is never parsed as HTML. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props ?? {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'className') node.className = value;
      else if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  class ControlError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  /** One control API request with the page's session; JSON in, JSON out. */
  async function control(method, path, body, signal) {
    const headers = { 'x-telapi-phone-session': SESSION, accept: 'application/json' };
    const init = { method, headers, signal, cache: 'no-store' };
    if (body) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      init.body = new URLSearchParams(body).toString();
    }
    let response;
    try {
      response = await fetch(`/_simulator${path}`, init);
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ControlError('The simulator cannot be reached. Is it still running?', 0);
    }
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new ControlError(json.message || `The simulator answered HTTP ${response.status}`, response.status);
    return json;
  }

  const sleep = (ms, signal) => new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });

  // State ----------------------------------------------------------------------------------------

  /**
   * mode: idle (no call; waiting for one to ring), placing (the Call request is on its way),
   * outgoing (our call, before the flow answered), incoming (a call to this phone rings),
   * active (in progress).
   */
  const state = {
    mode: 'idle',
    call: undefined,
    follow: undefined,
    watch: undefined,
    listening: false,
    recordings: new Set(),
    keys: '',
    rejected: false,
    documentUrl: undefined,
    answeredAt: undefined,
    clockTimer: undefined,
    pressing: Promise.resolve(),
  };

  function setStatus(text) {
    ui.status.textContent = text;
  }

  function showProblem(text) {
    ui.problem.textContent = text ?? '';
    ui.problem.hidden = !text;
  }

  /** Moves focus to `target` unless the user is typing in a field (or focus already is there). */
  function focusIfFree(target) {
    const active = document.activeElement;
    const typing = active && (active.matches('input:not([type="checkbox"]), select, textarea')) && !active.disabled;
    if (!typing && target && !target.disabled && !target.hidden) target.focus();
  }

  function render() {
    const { mode } = state;
    const inCall = mode !== 'idle';
    ui.fields.disabled = inCall;
    ui.call.disabled = inCall;
    ui.incoming.hidden = mode !== 'incoming';
    ui.hangup.disabled = !(mode === 'outgoing' || mode === 'active');
    for (const key of ui.keypad.querySelectorAll('button')) key.disabled = mode !== 'active';
    ui.keypad.classList.toggle('hot', state.listening && mode === 'active');
    ui.listening.hidden = !(state.listening && mode === 'active');
    ui.recording.hidden = state.recordings.size === 0 || !inCall;
    ui.keys.textContent = state.keys;
  }

  function setMode(mode) {
    const before = document.activeElement;
    const hadFocus = before === document.body || before === null || before?.closest?.('#incoming, #keypad, #hangup, #dial') !== null;
    state.mode = mode;
    render();
    if (mode === 'idle') {
      stopClock();
      if (hadFocus) focusIfFree(ui.call);
      startWatching();
    } else {
      stopWatching();
      if (mode === 'incoming') focusIfFree(ui.answer);
      else if (hadFocus) focusIfFree(ui.hangup);
    }
  }

  function startClock() {
    stopClock();
    state.answeredAt = Date.now();
    const tick = () => {
      const seconds = Math.floor((Date.now() - state.answeredAt) / 1000);
      ui.clock.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
    };
    tick();
    state.clockTimer = setInterval(tick, 1000);
  }

  function stopClock() {
    clearInterval(state.clockTimer);
    state.clockTimer = undefined;
  }

  function clearCallView() {
    ui.heard.replaceChildren();
    ui.requests.replaceChildren();
    ui.callInfo.hidden = false;
    ui.now.textContent = '';
    ui.clock.textContent = '';
    state.keys = '';
    state.listening = false;
    state.recordings.clear();
    showProblem(undefined);
  }

  // Sound ----------------------------------------------------------------------------------------

  const canSpeak = 'speechSynthesis' in window && typeof window.SpeechSynthesisUtterance === 'function';
  if (!canSpeak) ui.soundHint.textContent = '(this browser cannot speak: Say shows as text only; Play still plays)';

  function speak(text, language) {
    if (!ui.sound.checked || !canSpeak || !text) return;
    const utterance = new SpeechSynthesisUtterance(text);
    if (language) utterance.lang = language;
    window.speechSynthesis.speak(utterance);
  }

  function silence() {
    if (canSpeak) window.speechSynthesis.cancel();
    for (const audio of ui.heard.querySelectorAll('audio')) audio.pause();
  }

  ui.sound.addEventListener('change', () => {
    if (!ui.sound.checked) silence();
  });

  // What the caller hears --------------------------------------------------------------------------

  function heard(className, what, ...content) {
    const item = el('li', { className }, el('span', { className: 'what', text: what }), ...content);
    ui.heard.append(item);
    return item;
  }

  function note(text) {
    return heard('event', text);
  }

  function seconds(value) {
    const number = Number(value);
    return Number.isFinite(number) ? `${Math.round(number * 10) / 10} s` : '';
  }

  const LISTENER = { gather: 'the Gather heard it', record: 'the recording heard it', nobody: 'nobody was listening' };
  const STOP_REASON = {
    stopped: 'stopped', 'time-limit': 'its time limit', hangup: 'the hang-up', 'finish-key': 'the finish key', silence: 'silence', deleted: 'deleted',
  };
  const GATHER_END = { 'num-digits': 'enough digits', 'finish-key': 'the finish key', timeout: 'the timeout' };
  const HANGUP_CAUSE = {
    caller: 'you hung up',
    api: 'hung up through the REST API',
    'hangup-verb': 'the flow hung up (<Hangup>)',
    'reject-verb': 'the flow rejected the call (<Reject>)',
    'document-ended': 'the flow had nothing more to say',
    error: 'an error ended it',
    busy: 'the line was busy',
    'no-answer': 'nobody answered in time',
    failed: 'the call could not be connected',
  };

  /** A `<Play>` URL as the browser can fetch it: relative ones against the document that said it; undefined for other schemes. */
  function playable(text) {
    try {
      const url = new URL(text, state.documentUrl);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
    } catch {
      return undefined;
    }
  }

  function showListening(text) {
    state.listening = text !== undefined;
    ui.listening.textContent = text ?? '';
    render();
  }

  function onEvent(event) {
    switch (event.type) {
      case 'status':
        if (event.status === 'ringing' && state.mode === 'outgoing') setStatus(`Calling ${state.call.to}: asking the flow…`);
        if (event.status === 'in-progress') {
          setMode('active');
          setStatus(`In a call with ${state.call.direction === 'inbound' ? state.call.to : state.call.from}.`);
          startClock();
          note('Connected.');
        }
        break;
      case 'request':
        if (event.status_code >= 200 && event.status_code <= 299) state.documentUrl = event.url;
        logRequest(event);
        break;
      case 'say':
        ui.now.textContent = `“${event.text}”`;
        heard('said', `Say${event.voice ? ` · ${event.voice}` : ''}${event.language ? ` · ${event.language}` : ''}`, el('q', { text: event.text }));
        speak(event.text, event.language);
        break;
      case 'play': {
        const url = playable(event.url);
        ui.now.textContent = `♪ ${event.url}`;
        const audio = url ? el('audio', { controls: true, preload: 'none', src: url, 'aria-label': `Play ${event.url}` }) : undefined;
        const link = url ? el('a', { href: url, target: '_blank', rel: 'noreferrer', text: event.url }) : el('code', { text: event.url });
        heard('played', `Play · ${seconds(event.seconds)}`, link, audio);
        if (audio && ui.sound.checked) audio.play().catch(() => undefined);
        break;
      }
      case 'pause':
        note(`Silence (Pause, ${seconds(event.seconds)}).`);
        break;
      case 'gather-started': {
        const limits = [
          event.num_digits > 0 ? `up to ${event.num_digits} key${event.num_digits === 1 ? '' : 's'}` : 'any number of keys',
          event.finish_on_key ? `${event.finish_on_key} finishes` : undefined,
          `gives up after ${seconds(event.timeout)} of silence`,
        ].filter(Boolean).join(', ');
        showListening(`Listening for keys: ${limits}.`);
        note(`The flow listens for keys (${event.verb}).`);
        break;
      }
      case 'gather-ended':
        showListening(undefined);
        note(event.digits ? `The Gather got ${event.digits} (${GATHER_END[event.reason] ?? event.reason}).` : `The Gather got no keys (${GATHER_END[event.reason] ?? event.reason}).`);
        break;
      case 'digits':
        note(`You pressed ${event.digits}: ${LISTENER[event.heard_by] ?? event.heard_by}.`);
        break;
      case 'record-started':
        state.recordings.add(event.recording_sid);
        ui.recordingText.textContent = state.recordings.size > 1 ? `Recording (${state.recordings.size})` : 'Recording';
        if (!event.background) showListening('Keys go to the recording: its finish key ends it.');
        note(`${event.play_beep ? 'Beep. ' : ''}Recording started (${event.recording_sid}${event.background ? ', in the background' : ''}).`);
        render();
        break;
      case 'record-stopped':
        state.recordings.delete(event.recording_sid);
        if (state.listening && ui.listening.textContent.startsWith('Keys go to the recording')) showListening(undefined);
        note(`Recording stopped after ${seconds(event.duration)} (${STOP_REASON[event.reason] ?? event.reason}).`);
        render();
        break;
      case 'dial-started':
        note(`Dialing ${(event.targets ?? []).map((target) => target.value ?? target.number ?? JSON.stringify(target)).join(', ')}…`);
        break;
      case 'dial-ended':
        note(`The dialled call ended: ${event.dial_call_status}, ${seconds(event.dial_call_duration)}.`);
        break;
      case 'message':
        heard('event', `${event.verb} to ${event.to}`, el('q', { text: event.text }));
        break;
      case 'error':
        showProblem(`The call failed: ${event.message}`);
        logNote(`The call failed: ${event.message}`, 'failed');
        break;
      case 'hangup':
        callEnded(event);
        break;
      default:
        break;
    }
  }

  function callEnded(event) {
    silence();
    stopClock();
    state.listening = false;
    state.recordings.clear();
    const how = state.rejected ? `you rejected it (${event.status})` : `${event.status}, ${HANGUP_CAUSE[event.cause] ?? event.cause}`;
    setStatus(`Call ended: ${how}.`);
    note(`Call ended: ${how}.`);
    state.call = undefined;
    state.rejected = false;
    state.follow?.abort();
    state.follow = undefined;
    setMode('idle');
  }

  // The request log ---------------------------------------------------------------------------------

  /** A URL as shown: a `key` or `token` value is a secret, like in the simulator's logs. */
  function shownUrl(text) {
    try {
      const url = new URL(text);
      for (const name of ['key', 'token']) if (url.searchParams.has(name)) url.searchParams.set(name, '•••');
      if (url.password) url.password = '•••';
      return url.toString().replace(/%E2%80%A2/g, '•');
    } catch {
      return text;
    }
  }

  /** Readable InboundXML: one element a line, indented; the text is the document's own (shown, never parsed as HTML). */
  function prettyXml(text) {
    const source = text.trim();
    if (!source.startsWith('<')) return source;
    const doc = new DOMParser().parseFromString(source, 'application/xml');
    if (doc.getElementsByTagName('parsererror').length > 0) return source;
    const escapeText = (value) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const attributes = (node) => [...node.attributes].map((attribute) => ` ${attribute.name}="${escapeText(attribute.value).replace(/"/g, '&quot;')}"`).join('');
    const lines = [];
    const walk = (node, depth) => {
      const pad = '  '.repeat(depth);
      const children = [...node.childNodes].filter((child) => child.nodeType === Node.ELEMENT_NODE || (child.nodeType === Node.TEXT_NODE && child.textContent.trim() !== ''));
      if (children.length === 0) lines.push(`${pad}<${node.nodeName}${attributes(node)}/>`);
      else if (children.every((child) => child.nodeType === Node.TEXT_NODE)) {
        lines.push(`${pad}<${node.nodeName}${attributes(node)}>${escapeText(node.textContent.trim())}</${node.nodeName}>`);
      } else {
        lines.push(`${pad}<${node.nodeName}${attributes(node)}>`);
        for (const child of children) {
          if (child.nodeType === Node.TEXT_NODE) lines.push(`${pad}  ${escapeText(child.textContent.trim())}`);
          else walk(child, depth + 1);
        }
        lines.push(`${pad}</${node.nodeName}>`);
      }
    };
    walk(doc.documentElement, 0);
    const declaration = /^<\?xml[^>]*\?>/.exec(source);
    return [declaration?.[0], ...lines].filter(Boolean).join('\n');
  }

  const REASONS = { 200: 'OK', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

  /** What went wrong with a request, in a line, or undefined when the flow answered InboundXML of its own. */
  function verdict(event) {
    const code = event.status_code;
    if (code === undefined || code === null) {
      return { kind: 'failed', text: `Failed: the flow could not be reached (${event.error || 'no answer'}). Is Node-RED running, and is the URL right?` };
    }
    if (code === 403) return { kind: 'refused', text: 'Refused (403): the flow turned the request away. A voice node does so when the URL lacks its key (?key=…) or the key is not this node’s.' };
    if (code === 404) return { kind: 'refused', text: 'Refused (404): nothing answers at this path. Is the flow deployed, and is this the voice node’s path?' };
    if (code < 200 || code > 299) return { kind: 'failed', text: `Failed: the flow answered HTTP ${code}${REASONS[code] ? ` ${REASONS[code]}` : ''}, not InboundXML.` };
    if (event.answer_truncated) return { kind: 'failed', text: 'Failed: the answer is longer than the simulator reads.' };
    if (event.answer.includes(DEFAULT_FALLBACK_TEXT)) {
      return { kind: 'fallback', text: 'The flow answered with the voice node’s fallback: it did not answer in time, or a telapi-inboundxml node failed. Node-RED’s log says which.' };
    }
    return undefined;
  }

  function duration(ms) {
    return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
  }

  function logRequest(event) {
    ui.callInfo.hidden = true;
    const code = event.status_code;
    const problem = verdict(event);
    const purpose = { voice: 'Voice request', action: 'Action', redirect: 'Redirect', ping: 'Ping' }[event.purpose] ?? event.purpose;
    const params = Object.entries(event.params ?? {});
    const number = ui.requests.querySelectorAll('li.request').length + 1;
    const item = el('li', { className: `request${problem ? ` ${problem.kind}` : ''}` },
      el('h3', {},
        el('span', { text: `${number}. ${purpose}` }),
        el('span', { className: `code ${code >= 200 && code <= 299 ? 'ok' : 'bad'}`, text: code ? `${code}${REASONS[code] ? ` ${REASONS[code]}` : ''}` : 'no answer' }),
        el('span', { className: `took${event.duration_ms >= SLOW_MS ? ' slow' : ''}`, text: `the flow took ${duration(event.duration_ms)}` })),
      el('p', { className: 'url' }, el('span', { className: 'method', text: event.method }), el('code', { text: shownUrl(event.url) })),
      problem && el('p', { className: `verdict ${problem.kind}`, text: problem.text }),
      el('details', {},
        el('summary', { text: `Parameters sent (${params.length})` }),
        el('table', {}, el('tbody', {}, params.map(([name, value]) => el('tr', {}, el('th', { scope: 'row', text: name }), el('td', { text: value })))))),
      el('h4', { text: event.answer ? 'Answer: the InboundXML that came back' : 'Answer: empty' }),
      event.answer ? el('pre', {}, el('code', { text: prettyXml(event.answer) })) : undefined);
    ui.requests.append(item);
  }

  function logNote(text, kind) {
    ui.callInfo.hidden = true;
    ui.requests.append(el('li', { className: `note verdict ${kind}`, text }));
  }

  // Following a call ---------------------------------------------------------------------------------

  /** Long-polls the call's transcript until it hangs up (or the page follows another call). */
  async function follow(call) {
    state.follow?.abort();
    const abort = new AbortController();
    state.follow = abort;
    let after = 0;
    let problem;
    while (!abort.signal.aborted) {
      let answer;
      try {
        answer = await control('GET', `/calls/${encodeURIComponent(call.sid)}/events?after=${after}&wait_ms=${WAIT_MS}`, undefined, abort.signal);
      } catch (error) {
        if (abort.signal.aborted) return;
        if (error.status === 404) {
          callEnded({ status: 'gone', cause: 'the simulator no longer knows the call (reset?)' });
          return;
        }
        problem = `Following the call: ${error.message}`;
        showProblem(problem);
        await sleep(RETRY_MS, abort.signal);
        continue;
      }
      if (abort.signal.aborted) return;
      if (ui.problem.textContent === problem) showProblem(undefined);
      for (const event of answer.events) {
        after = Math.max(after, event.sequence);
        onEvent(event);
        if (abort.signal.aborted) return;
      }
    }
  }

  async function placeCall() {
    const url = ui.url.value.trim();
    const valid = (() => {
      try {
        return ['http:', 'https:'].includes(new URL(url).protocol);
      } catch {
        return false;
      }
    })();
    ui.url.setAttribute('aria-invalid', String(!valid));
    ui.urlError.hidden = valid;
    if (!valid) {
      ui.urlError.textContent = url ? 'That is not an http or https URL.' : 'Enter the voice URL of the flow to call.';
      ui.url.focus();
      return;
    }
    clearCallView();
    setMode('placing');
    setStatus(`Calling ${ui.to.value.trim() || 'the number'}…`);
    try {
      const call = await control('POST', '/calls/inbound', {
        Url: url, Method: ui.method.value, From: NUMBER, To: ui.to.value.trim(), CallerName: 'Browser phone',
      });
      state.call = call;
      setMode('outgoing');
      follow(call);
    } catch (error) {
      setStatus('Ready.');
      showProblem(`The call could not be placed: ${error.message}`);
      setMode('idle');
    }
  }

  async function hangUp() {
    const call = state.call;
    if (!call || !(state.mode === 'outgoing' || state.mode === 'active')) return false;
    setStatus('Hanging up…');
    try {
      await control('POST', `/calls/${encodeURIComponent(call.sid)}/hangup`);
    } catch (error) {
      showProblem(`Hanging up failed: ${error.message}`);
    }
    return true;
  }

  async function answerCall() {
    const call = state.call;
    if (!call || state.mode !== 'incoming') return;
    setStatus('Answering…');
    try {
      await control('POST', `/calls/${encodeURIComponent(call.sid)}/answer`);
    } catch (error) {
      showProblem(`Answering failed: ${error.message}`);
    }
  }

  async function rejectCall() {
    const call = state.call;
    if (!call || state.mode !== 'incoming') return;
    setStatus('Rejecting…');
    state.rejected = true;
    try {
      await control('POST', `/calls/${encodeURIComponent(call.sid)}/reject`, { Status: 'busy' });
    } catch (error) {
      showProblem(`Rejecting failed: ${error.message}`);
    }
  }

  /** Sends keys one request after another, in the order pressed. */
  function press(key) {
    const call = state.call;
    if (!call || state.mode !== 'active') return;
    state.keys += key;
    render();
    const button = ui.keypad.querySelector(`button[data-key="${CSS.escape(key)}"]`);
    button?.classList.add('pressed');
    setTimeout(() => button?.classList.remove('pressed'), 150);
    state.pressing = state.pressing.then(() => control('POST', `/calls/${encodeURIComponent(call.sid)}/digits`, { Digits: key })).catch((error) => {
      if (state.call === call && state.mode === 'active') showProblem(`The key did not reach the call: ${error.message}`);
    });
  }

  // Waiting for calls to this phone ------------------------------------------------------------------

  function startWatching() {
    if (state.watch || !NUMBER) return;
    const abort = new AbortController();
    state.watch = abort;
    watch(abort.signal);
  }

  function stopWatching() {
    state.watch?.abort();
    state.watch = undefined;
  }

  async function watch(signal) {
    let registered = false;
    let problem;
    while (!signal.aborted) {
      try {
        // Again after every call: a reset of the simulator forgets the number's behaviour.
        if (!registered) await control('POST', '/numbers', { Number: NUMBER, Behavior: 'manual' }, signal);
        registered = true;
        const to = encodeURIComponent(NUMBER);
        const { calls } = await control('GET', `/calls?To=${to}&Status=ringing&Direction=outbound-api&wait_ms=${WAIT_MS}`, undefined, signal);
        if (signal.aborted) return;
        if (ui.problem.textContent === problem) showProblem(undefined);
        const call = calls.at(-1);
        if (call) {
          ring(call);
          return;
        }
      } catch (error) {
        if (signal.aborted) return;
        problem = `Waiting for calls to ${NUMBER}: ${error.message}`;
        showProblem(problem);
        await sleep(RETRY_MS, signal);
      }
    }
  }

  function ring(call) {
    clearCallView();
    state.call = call;
    const who = call.caller_name ? `${call.from} (${call.caller_name})` : call.from;
    ui.incomingFrom.textContent = `From ${who}, to this phone (${call.to}).`;
    setStatus(`Incoming call from ${who}.`);
    note(`Ringing: a call from ${who}.`);
    setMode('incoming');
    follow(call);
  }

  // Input --------------------------------------------------------------------------------------------

  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (state.mode === 'idle') placeCall();
  });
  ui.hangup.addEventListener('click', () => hangUp());
  ui.answer.addEventListener('click', () => answerCall());
  ui.reject.addEventListener('click', () => rejectCall());
  ui.keypad.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-key]');
    if (button && !button.disabled) press(button.dataset.key);
  });

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    const typing = target instanceof Element && target.matches('input:not([type="checkbox"]):not([type="radio"]), textarea, select');
    if (event.key === 'Escape') {
      if (state.mode === 'incoming') rejectCall();
      else if (state.mode === 'outgoing' || state.mode === 'active') hangUp();
      else return;
      event.preventDefault();
      return;
    }
    if (typing) return; // Enter in a field submits the form: Call.
    if (/^[0-9*#]$/.test(event.key)) {
      if (state.mode === 'active' && !event.repeat) {
        event.preventDefault();
        press(event.key);
      }
      return;
    }
    if (event.key === 'Enter' && !(target instanceof Element && target.matches('button, a, summary, audio, [role="button"]'))) {
      if (state.mode === 'idle') {
        event.preventDefault();
        ui.form.requestSubmit();
      } else if (state.mode === 'incoming') {
        event.preventDefault();
        answerCall();
      }
    }
  });

  // Start ----------------------------------------------------------------------------------------------

  $('own-number').textContent = NUMBER || '(none)';
  ui.url.value = query.get('url') || meta('telapi-phone-voice-url');
  if (query.get('to')) ui.to.value = query.get('to');
  if (!SESSION) showProblem('This page has no phone session: open it from the simulator at /phone.');
  render();
  startWatching();
}());
