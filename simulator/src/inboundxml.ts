/**
 * InboundXML as TelAPI reads it (docs/telapi-api.md, "Answering calls: voice requests and
 * InboundXML"): a `<Response>` holding verbs that run in order. Attribute names, allowed values and
 * defaults follow Zang's schema and the defaults its documentation states; unknown attributes are
 * ignored (be liberal), an unknown verb or a bad value is an error that ends the call.
 */
import { readBoolean, type CallbackMethod, type FileFormat, type RecordDirection, type TranscribeQuality } from './spec';
import { InboundXmlError, readXml, type XmlElement } from './xml-reader';

export interface SayVerb { verb: 'Say'; text: string; loop: number; voice: 'woman' | 'man'; language: string }
export interface PlayVerb { verb: 'Play'; url: string; loop: number }
export interface PauseVerb { verb: 'Pause'; seconds: number }
export interface PlayLastRecordingVerb { verb: 'PlayLastRecording' }
export type PromptVerb = SayVerb | PlayVerb | PauseVerb | PlayLastRecordingVerb;

/** `<Gather>` and `<GetSpeech>` (which the simulator hears as key presses too). */
export interface GatherVerb {
  verb: 'Gather' | 'GetSpeech';
  action: string | undefined;
  method: CallbackMethod;
  timeout: number;
  finishOnKey: string;
  /** 0: no limit. */
  numDigits: number;
  prompts: PromptVerb[];
}

export interface RecordVerb {
  verb: 'Record';
  action: string | undefined;
  method: CallbackMethod;
  timeout: number;
  finishOnKey: string;
  maxLength: number;
  playBeep: boolean;
  fileFormat: FileFormat;
  trimSilence: boolean;
  direction: RecordDirection;
  background: boolean;
  transcribe: boolean;
  transcribeCallback: string | undefined;
  transcribeQuality: TranscribeQuality;
}

export type DialTargetKind = 'Number' | 'Sip' | 'User' | 'Conference';
export interface DialTarget { kind: DialTargetKind; value: string }
export interface DialVerb {
  verb: 'Dial';
  action: string | undefined;
  method: CallbackMethod;
  timeout: number;
  timeLimit: number;
  callerId: string | undefined;
  targets: DialTarget[];
}

export interface RedirectVerb { verb: 'Redirect'; url: string; method: CallbackMethod }
export interface PingVerb { verb: 'Ping'; url: string; method: CallbackMethod }
export interface HangupVerb { verb: 'Hangup'; schedule: number }
export interface RejectVerb { verb: 'Reject'; reason: 'rejected' | 'busy' }
export interface MessageVerb { verb: 'Sms' | 'Mms'; to: string | undefined; from: string | undefined; text: string; mediaUrl: string | undefined }
export interface AnswerVerb { verb: 'Answer' }

export type Verb = PromptVerb | GatherVerb | RecordVerb | DialVerb | RedirectVerb | PingVerb | HangupVerb | RejectVerb | MessageVerb | AnswerVerb;

/** The verbs' defaults (docs/telapi-api.md, "Answering calls: voice requests and InboundXML"), in one place. */
export const VERB_DEFAULTS = Object.freeze({
  method: 'POST' as CallbackMethod,
  sayLoop: 1,
  playLoop: 1,
  pauseSeconds: 1,
  gatherTimeout: 5,
  finishOnKey: '#',
  recordTimeout: 5,
  recordMaxLength: 3600,
  /** A `<Record>` without `background` records while the next verbs run: true is the documented default. */
  recordBackground: true,
  dialTimeout: 30,
  dialTimeLimit: 14400,
});

/** The schema spells the voices female/male, the documentation woman/man. */
const SAY_VOICES = { woman: 'woman', female: 'woman', man: 'man', male: 'man' } as const;
const PROMPT_VERBS = new Set(['Say', 'Play', 'Pause', 'PlayLastRecording']);
const DIAL_TARGETS: readonly DialTargetKind[] = ['Number', 'Sip', 'User', 'Conference'];
const QUALITIES: readonly TranscribeQuality[] = ['auto', 'hybrid', 'keywords', 'silver', 'gold', 'platinum'];

/** Reads an answer: well-formed XML whose root is `<Response>`, each verb checked. */
export function readInboundXml(text: string): Verb[] {
  const root = readXml(text);
  if (root.name !== 'Response') throw new InboundXmlError(`The answer's root element is <${root.name}>, not <Response>`);
  return root.children.map(readVerb);
}

class Attributes {
  readonly #element: XmlElement;

  constructor(element: XmlElement) {
    this.#element = element;
  }

  #fail(name: string, expected: string): never {
    throw new InboundXmlError(`<${this.#element.name}> ${name}="${this.#element.attributes[name] ?? ''}" is not ${expected}`);
  }

  text(name: string): string | undefined {
    const value = this.#element.attributes[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** Whole numbers from `minimum` on; the schema's integers. */
  integer(name: string, fallback: number, minimum = 0): number {
    const value = this.text(name);
    if (value === undefined) return fallback;
    const number = /^[+-]?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < minimum) this.#fail(name, `a whole number from ${minimum} on`);
    return number;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.text(name);
    if (value === undefined) return fallback;
    return readBoolean(value) ?? this.#fail(name, 'true or false');
  }

  /** Case-insensitive, as the schema lists every spelling. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.text(name)?.toLowerCase();
    if (value === undefined) return fallback;
    return allowed.find((candidate) => candidate === value) ?? this.#fail(name, `one of ${allowed.join(', ')}`);
  }

  method(name = 'method'): CallbackMethod {
    return this.oneOf(name, ['post', 'get'] as const, 'post') === 'get' ? 'GET' : 'POST';
  }
}

/** The element's own text, its white space collapsed as a speech engine reads it. */
function textOf(element: XmlElement): string {
  return element.text.replace(/\s+/g, ' ').trim();
}

function requiredText(element: XmlElement, what: string): string {
  const text = textOf(element);
  if (text === '') throw new InboundXmlError(`<${element.name}> needs ${what} as its text`);
  return text;
}

function noChildren(element: XmlElement): void {
  const [child] = element.children;
  if (child) throw new InboundXmlError(`<${child.name}> cannot stand inside <${element.name}>`);
}

function readPrompt(element: XmlElement): PromptVerb {
  const attributes = new Attributes(element);
  noChildren(element);
  switch (element.name) {
    case 'Say':
      return {
        verb: 'Say',
        text: textOf(element),
        loop: attributes.integer('loop', VERB_DEFAULTS.sayLoop),
        voice: SAY_VOICES[attributes.oneOf('voice', ['woman', 'man', 'female', 'male'] as const, 'woman')],
        language: attributes.text('language') ?? 'en',
      };
    case 'Play':
      return { verb: 'Play', url: requiredText(element, 'the URL of the audio'), loop: attributes.integer('loop', VERB_DEFAULTS.playLoop) };
    case 'Pause':
      return { verb: 'Pause', seconds: attributes.integer('length', VERB_DEFAULTS.pauseSeconds, 1) };
    default:
      return { verb: 'PlayLastRecording' };
  }
}

function readGather(element: XmlElement, verb: 'Gather' | 'GetSpeech'): GatherVerb {
  const attributes = new Attributes(element);
  const prompts = element.children.map((child) => {
    if (!PROMPT_VERBS.has(child.name)) throw new InboundXmlError(`<${child.name}> cannot stand inside <${verb}>; it takes Say, Play, Pause and PlayLastRecording`);
    return readPrompt(child);
  });
  return {
    verb,
    action: attributes.text('action'),
    method: attributes.method(),
    timeout: attributes.integer('timeout', VERB_DEFAULTS.gatherTimeout, 1),
    finishOnKey: attributes.text('finishOnKey') ?? VERB_DEFAULTS.finishOnKey,
    numDigits: verb === 'Gather' ? attributes.integer('numDigits', 0) : 0,
    prompts,
  };
}

function readRecord(element: XmlElement): RecordVerb {
  const attributes = new Attributes(element);
  noChildren(element);
  const direction = attributes.oneOf('direction', ['in', 'out', 'both', 'inlow'] as const, 'both');
  return {
    verb: 'Record',
    action: attributes.text('action'),
    method: attributes.method(),
    timeout: attributes.integer('timeout', VERB_DEFAULTS.recordTimeout, 1),
    finishOnKey: attributes.text('finishOnKey') ?? VERB_DEFAULTS.finishOnKey,
    maxLength: attributes.integer('maxLength', VERB_DEFAULTS.recordMaxLength, 1),
    playBeep: attributes.boolean('playBeep', false),
    fileFormat: attributes.oneOf('fileFormat', ['mp3', 'wav'] as const, 'mp3'),
    trimSilence: attributes.boolean('trimSilence', false),
    direction: direction === 'inlow' ? 'in' : direction,
    background: attributes.boolean('background', VERB_DEFAULTS.recordBackground),
    transcribe: attributes.boolean('transcribe', false),
    transcribeCallback: attributes.text('transcribeCallback'),
    transcribeQuality: attributes.oneOf('transcribeQuality', QUALITIES, 'auto'),
  };
}

function readDial(element: XmlElement): DialVerb {
  const attributes = new Attributes(element);
  const targets: DialTarget[] = element.children.map((child) => {
    const kind = DIAL_TARGETS.find((candidate) => candidate === child.name);
    if (!kind) throw new InboundXmlError(`<${child.name}> cannot stand inside <Dial>; it takes ${DIAL_TARGETS.join(', ')}`);
    return { kind, value: requiredText(child, kind === 'Conference' ? 'the conference name' : 'the address to dial') };
  });
  const bare = textOf(element);
  if (bare !== '') targets.unshift({ kind: 'Number', value: bare });
  if (targets.length === 0) throw new InboundXmlError('<Dial> names nobody to dial');
  return {
    verb: 'Dial',
    action: attributes.text('action'),
    method: attributes.method(),
    timeout: attributes.integer('timeout', VERB_DEFAULTS.dialTimeout, 1),
    timeLimit: attributes.integer('timeLimit', VERB_DEFAULTS.dialTimeLimit, 1),
    callerId: attributes.text('callerId'),
    targets,
  };
}

function readVerb(element: XmlElement): Verb {
  const attributes = new Attributes(element);
  switch (element.name) {
    case 'Say':
    case 'Play':
    case 'Pause':
    case 'PlayLastRecording':
      return readPrompt(element);
    case 'Gather':
    case 'GetSpeech':
      return readGather(element, element.name);
    case 'Record':
      return readRecord(element);
    case 'Dial':
      return readDial(element);
    case 'Redirect':
    case 'Ping':
      noChildren(element);
      return { verb: element.name, url: requiredText(element, 'a URL'), method: attributes.method() };
    case 'Hangup':
      return { verb: 'Hangup', schedule: attributes.integer('schedule', 0) };
    case 'Reject':
      return { verb: 'Reject', reason: attributes.oneOf('reason', ['rejected', 'busy'] as const, 'rejected') };
    case 'Sms':
    case 'Mms':
      noChildren(element);
      return { verb: element.name, to: attributes.text('to'), from: attributes.text('from'), text: textOf(element), mediaUrl: attributes.text('mediaUrl') };
    case 'Answer':
      return { verb: 'Answer' };
    default:
      throw new InboundXmlError(`<${element.name}> is not an InboundXML verb`);
  }
}
