import { RECORD_TRANSCRIBE_QUALITIES, SAY_LANGUAGES, SPEECH_LANGUAGES, type AttributeSpec, type UrlUse, type VerbSpec } from './kinds';

/**
 * The InboundXML verbs this package builds (docs/telapi-api.md "Answering calls: voice requests and
 * InboundXML"): for each verb its attributes with their kind and default, its text, the verbs it
 * nests, and a line of help, in the project's own words. test/telapi/inboundxml-table.test.js
 * checks it against Zang's schema, which the tests read, and INBOUNDXML_OMITTED lists what the table
 * leaves out on purpose. Plain data: the editor can be served it as JSON.
 */

const HTTP_METHODS = ['POST', 'GET'];
const FILE_FORMAT_VALUES = ['mp3', 'wav'];
const DTMF_KEYS = '0123456789#*';
const DIRECTIONS = ['in', 'out', 'both'];

// Constructors that keep the table short; each returns plain data.
const method = (help: string): AttributeSpec => ({ kind: 'enum', values: HTTP_METHODS, default: 'POST', help });
const url = (use: UrlUse, help: string): AttributeSpec => ({ kind: 'url', use, help });
const flag = (defaultValue: 'true' | 'false', help: string): AttributeSpec => ({ kind: 'boolean', default: defaultValue, help });
const text = (help: string): AttributeSpec => ({ kind: 'text', help });
const keys = (allowed: string, help: string, defaultValue?: string): AttributeSpec =>
  defaultValue === undefined ? { kind: 'dtmf', keys: allowed, help } : { kind: 'dtmf', keys: allowed, help, default: defaultValue };
const choice = (values: readonly string[], help: string, defaultValue?: string): AttributeSpec =>
  defaultValue === undefined ? { kind: 'enum', values, help } : { kind: 'enum', values, help, default: defaultValue };
function whole(min: number, help: string, options: { max?: number; default?: string } = {}): AttributeSpec {
  return { kind: 'integer', min, ...(options.max !== undefined ? { max: options.max } : {}), help, ...(options.default !== undefined ? { default: options.default } : {}) };
}

const PROMPTS = ['Say', 'Play', 'PlayLastRecording', 'Pause'];

/** The table is shared by every node and served to editors: frozen, so that no caller can change it for the others. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

const verb = (spec: Omit<VerbSpec, 'topLevel' | 'zangOnly' | 'children'> & Partial<VerbSpec>): VerbSpec => ({
  topLevel: true, zangOnly: false, children: [], ...spec,
});

const conferenceAttributes: Record<string, AttributeSpec> = {
  muted: flag('false', 'The participant can listen but not speak.'),
  beep: flag('false', 'Play a beep when a participant enters.'),
  startConferenceOnEnter: flag('false', 'The conference starts when this participant enters.'),
  endConferenceOnExit: flag('false', 'The conference ends when this participant leaves.'),
  maxParticipants: whole(1, 'Most participants the conference takes (1 to 40).', { max: 40, default: '40' }),
  timeLimit: whole(1, "Seconds this participant may stay in the conference."),
  waitUrl: url('call', 'InboundXML run for the participant while the conference has not started.'),
  waitMethod: method('How waitUrl is requested.'),
  hangupOnStar: flag('false', 'The participant leaves the conference by pressing *.'),
  // Shared by the participants (the first one given counts): which CallSid it carries is not documented.
  callbackUrl: url('leg', 'Requested when participants enter or leave and when the conference ends (the first one given counts).'),
  callbackMethod: method('How callbackUrl is requested.'),
  method: method('How the action URL is requested.'),
  waitSound: url('call', 'InboundXML (Play only) for the participant while waiting to enter.'),
  waitSoundMethod: method('How waitSound is requested.'),
  digitsMatch: keys(`${DTMF_KEYS},`, 'Key sequences, comma separated, reported to callbackUrl when the participant presses them.'),
  stayAlone: flag('false', 'The participant stays in the conference when alone.'),
  record: flag('false', 'Record the conference.'),
  recordFileFormat: choice(FILE_FORMAT_VALUES, "The recording's file format.", 'mp3'),
  recordCallbackUrl: url('leg', 'Requested with the recording once the conference ends.'),
  recordCallbackMethod: method('How recordCallbackUrl is requested.'),
};

export const INBOUNDXML_VERBS: Readonly<Record<string, VerbSpec>> = deepFreeze({
  Say: verb({
    help: 'Speaks a text to the caller.',
    text: { kind: 'text', required: false, help: 'The text to speak.' },
    attributes: {
      voice: choice(['female', 'male'], 'The voice that speaks.', 'female'),
      language: choice(SAY_LANGUAGES, 'The language the text is spoken in.', 'en'),
      loop: whole(0, 'How many times to speak it; 0 repeats until the call moves on.', { default: '1' }),
    },
  }),
  Play: verb({
    help: 'Plays an audio file to the caller.',
    text: { kind: 'url', use: 'media', required: true, help: 'The URL of the audio file (mp3 or wav).' },
    attributes: {
      loop: whole(0, 'How many times to play it; 0 repeats until the call moves on.', { default: '1' }),
      method: method('How the audio file is requested.'),
    },
  }),
  Gather: verb({
    help: 'Collects keys the caller presses (or speech on Zang), then requests action with them.',
    children: PROMPTS,
    attributes: {
      input: {
        kind: 'enum',
        values: ['dtmf', 'speech', 'speech dtmf'],
        aliases: { 'dtmf speech': 'speech dtmf' },
        help: 'What to collect: keys (dtmf), speech, or both.',
        required: true,
        fill: 'dtmf',
      },
      hints: text('Words or phrases the speech is likely to contain, comma separated.'),
      language: choice(SPEECH_LANGUAGES, 'The language of the speech to recognise.', 'en-US'),
      action: url('call', 'Requested with the collected Digits; its InboundXML continues the call.'),
      method: method('How action is requested.'),
      timeout: whole(1, 'Seconds to wait for the next key before action is requested.', { default: '5' }),
      finishOnKey: keys(DTMF_KEYS, 'The key that ends the input.', '#'),
      numDigits: whole(1, 'Collect at most this many keys (unset: no limit).'),
    },
  }),
  GetSpeech: verb({
    help: 'Recognises speech against a grammar, then requests action with the result.',
    zangOnly: true,
    children: PROMPTS,
    attributes: {
      action: url('call', 'Requested with the recognised speech; its InboundXML continues the call.'),
      method: method('How action is requested.'),
      timeout: whole(1, 'Seconds to wait for speech.'),
      playBeep: flag('false', 'Play a beep before listening.'),
      grammar: { ...url('media', 'The URL of the speech grammar to recognise against.'), required: true },
    },
  }),
  Record: verb({
    help: "Records the caller's audio (or the whole call in the background), then requests action.",
    attributes: {
      action: url('call', 'Requested with RecordingUrl, RecordingDuration and Digits; its InboundXML continues the call.'),
      method: method('How action is requested.'),
      timeout: whole(1, 'Seconds of silence that end the recording.', { default: '5' }),
      finishOnKey: keys(DTMF_KEYS, 'The key that ends the recording.', '#'),
      maxLength: whole(1, 'Longest recording in seconds.', { default: '3600' }),
      transcribe: flag('false', 'Transcribe the recording.'),
      transcribeCallback: url('call', 'Requested with the transcription when it is done.'),
      transcribeQuality: choice(RECORD_TRANSCRIBE_QUALITIES, 'The transcription quality.', 'auto'),
      sliceStart: whole(1, 'Second of the recording where the transcription starts.'),
      sliceDuration: whole(1, 'Seconds of the recording to transcribe.'),
      playBeep: flag('false', 'Play a beep when recording starts.'),
      fileFormat: choice(FILE_FORMAT_VALUES, "The recording's file format.", 'mp3'),
      direction: choice(DIRECTIONS, 'Which audio to record: the caller (in), the other party (out), or both.', 'both'),
      background: flag('true', 'Record while the next verbs run; timeout, finishOnKey and playBeep then do nothing.'),
      sampleRate: choice(['8000', '16000', '32000', '48000'], "The recording's sample rate in Hz."),
      trimSilence: flag('false', 'Cut the silence at the start of the recording.'),
    },
  }),
  Dial: verb({
    help: 'Connects the caller to a number, SIP address, user or conference.',
    text: { kind: 'text', required: false, help: 'The number to dial, unless nested verbs say whom.' },
    children: ['Number', 'Sip', 'User', 'Conference'],
    attributes: {
      action: url('call', "Requested when the dialled call ends; its InboundXML continues the caller's call."),
      method: method('How action is requested.'),
      timeout: whole(1, 'Seconds to let it ring before giving up.'),
      hangupOnStar: flag('false', 'The caller ends the dialled call by pressing *.'),
      timeLimit: whole(1, 'Longest the dialled call may last, in seconds.', { default: '14400' }),
      callerId: text('The number the dialled party sees as calling.'),
      hideCallerId: flag('false', 'Hide the caller ID.'),
      callerName: text('The name the dialled party sees as calling.'),
      dialMusic: url('call', 'InboundXML (Say, Play) the caller hears instead of the ringing tone.'),
      callbackUrl: url('leg', 'Requested when the dialled call connects and when it ends.'),
      callbackMethod: method('How callbackUrl is requested.'),
      confirmSound: url('leg', 'InboundXML (Say, Play, Pause) the dialled party hears on answering.'),
      digitsMatch: keys(`${DTMF_KEYS},`, 'Key sequences, comma separated, reported to callbackUrl when pressed.'),
      straightToVm: flag('false', "Go straight to the dialled mobile's voicemail."),
      heartbeatUrl: url('call', 'Requested every 60 seconds during the call.'),
      heartbeatMethod: method('How heartbeatUrl is requested.'),
      forwardedFrom: text('The number the call is shown as forwarded from.'),
      record: flag('false', 'Record the dialled call.'),
      recordDirection: choice(DIRECTIONS, 'Which audio to record: the caller (in), the dialled party (out), or both.', 'both'),
      recordCallbackUrl: url('call', 'Requested with the recording when it is done.'),
      recordFormat: choice(FILE_FORMAT_VALUES, "The recording's file format.", 'mp3'),
      ifMachine: choice(['continue', 'redirect', 'hangup'], 'What to do when an answering machine answers.', 'continue'),
      ifMachineUrl: url('leg', 'Where to redirect when ifMachine is redirect.'),
      ifMachineMethod: method('How ifMachineUrl is requested.'),
    },
  }),
  Number: verb({
    help: 'A phone number to dial (inside Dial).',
    topLevel: false,
    text: { kind: 'text', required: true, help: 'The phone number.' },
    attributes: {
      sendDigits: keys(`${DTMF_KEYS}w`, 'Keys to send once answered; w waits half a second.'),
      url: url('leg', 'InboundXML run for the dialled party before the two are connected.'),
      method: method('How url is requested.'),
    },
  }),
  Sip: verb({
    help: 'A SIP address to dial (inside Dial).',
    topLevel: false,
    text: { kind: 'text', required: true, help: 'The SIP address, e.g. sip:alice@example.com.' },
    attributes: {
      username: text('The user name for SIP authentication.'),
      password: text('The password for SIP authentication.'),
      sendDigits: keys(`${DTMF_KEYS}w`, 'Keys to send once answered; w waits half a second.'),
      action: url('leg', 'InboundXML run for the SIP party before the two are connected.'),
      method: method('How action is requested.'),
    },
  }),
  User: verb({
    help: "A Zang user (a client app's identity) to dial (inside Dial).",
    topLevel: false,
    zangOnly: true,
    text: { kind: 'text', required: true, help: 'The user to dial.' },
    attributes: {
      sendDigits: keys(`${DTMF_KEYS}w`, 'Keys to send once answered; w waits half a second.'),
    },
  }),
  Conference: verb({
    help: 'A conference room to join (inside Dial).',
    topLevel: false,
    text: { kind: 'text', required: true, help: "The conference room's name." },
    attributes: conferenceAttributes,
  }),
  Redirect: verb({
    help: 'Continues the call with the InboundXML of another URL.',
    text: { kind: 'url', use: 'call', required: true, help: 'The URL to request.' },
    attributes: { method: method('How the URL is requested.') },
  }),
  Pause: verb({
    help: 'Waits in silence.',
    attributes: { length: whole(1, 'Seconds to wait.', { max: 99998, default: '1' }) },
  }),
  Hangup: verb({
    help: 'Ends the call.',
    attributes: {
      schedule: whole(0, 'Seconds until the call ends; the next verbs run meanwhile.'),
      reason: choice(['rejected', 'busy'], 'The reason given for ending the call.'),
    },
  }),
  Reject: verb({
    help: 'Refuses the call without answering it.',
    attributes: { reason: choice(['rejected', 'busy'], 'What the caller is told: rejected, or busy.', 'rejected') },
  }),
  Sms: verb({
    help: 'Sends a text message during the call.',
    text: { kind: 'text', required: true, help: 'The message.' },
    attributes: {
      to: { ...text('The number to send to (TelAPI: the caller when unset).'), required: true },
      from: { ...text('The number to send from, one of yours (TelAPI: the called number when unset).'), required: true },
      action: url('call', 'Requested once the message is sent; its InboundXML continues the call.'),
      method: method('How action is requested.'),
      statusCallback: url('call', "Requested with the message's delivery status."),
      statusCallbackMethod: method('How statusCallback is requested.'),
    },
  }),
  Mms: verb({
    help: 'Sends a picture message during the call.',
    zangOnly: true,
    text: { kind: 'text', required: false, help: 'The message text.' },
    attributes: {
      to: { ...text('The number to send to.'), required: true },
      from: { ...text('The number to send from, one of yours.'), required: true },
      mediaUrl: { ...url('media', 'The URL of the picture to send.'), required: true },
      action: url('call', 'Requested once the message is sent; its InboundXML continues the call.'),
      method: method('How action is requested.'),
      statusCallback: url('call', "Requested with the message's delivery status."),
    },
  }),
  Answer: verb({ help: 'Answers the call.', zangOnly: true, attributes: {} }),
  PlayLastRecording: verb({ help: "Plays the call's most recent recording.", zangOnly: true, attributes: {} }),
  Ping: verb({
    help: 'Requests a URL with the call parameters and goes on without waiting for it.',
    zangOnly: true,
    text: { kind: 'url', use: 'call', required: true, help: 'The URL to request.' },
    attributes: { method: method('How the URL is requested.') },
  }),
});

/** The attributes of `<Response>` itself, the document's root. */
export const INBOUNDXML_RESPONSE_ATTRIBUTES: Readonly<Record<string, AttributeSpec>> = deepFreeze({
  statusCallback: url('call', "Requested when the call's status changes."),
  statusMethod: method('How statusCallback is requested.'),
  heartbeatCallback: url('call', 'Requested every 60 seconds during the call.'),
  heartbeatMethod: method('How heartbeatCallback is requested.'),
});

/**
 * What Zang's schema has and the table leaves out, each with why: `Verb.attribute`, or
 * `Verb.attribute=value` for an enumeration value.
 */
export const INBOUNDXML_OMITTED: Readonly<Record<string, string>> = deepFreeze({
  'Record.bothLegs': 'replaced by direction (both), as the schema notes',
  'Record.lifetime': 'undocumented: neither its meaning nor its unit is described',
  'Dial.recordLifetime': 'undocumented: neither its meaning nor its unit is described',
  'Dial.outboundAction': 'undocumented: its meaning is not described',
  'Number.sendOnPreanswer': 'undocumented: its meaning is not described',
  'User.params': 'undocumented: its format is not described',
  'Record.direction=': 'an empty value is an unset attribute, which is left out',
  'Dial.recordDirection=': 'an empty value is an unset attribute, which is left out',
  'Record.direction=inlow': 'undocumented',
  'Dial.recordDirection=inlow': 'undocumented',
});

/** The verb names, in the table's order (what the editor offers). */
export const INBOUNDXML_VERB_NAMES: readonly string[] = Object.freeze(Object.keys(INBOUNDXML_VERBS));
