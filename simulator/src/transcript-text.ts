import { SeededRandom } from './random';

const TRANSCRIPT_SENTENCES = [
  'Hello, thanks for calling.',
  'I am calling about the order I placed last week.',
  'Could you tell me when it will be delivered?',
  'Let me check that for you.',
  'It left our warehouse this morning.',
  'You should have it by Thursday.',
  'That is great, thank you.',
  'Is there anything else I can help you with?',
  'No, that was all.',
  'Have a nice day.',
];

/** Believable text whose length follows the recording's (the simulator has no speech recognition). */
export function simulatedTranscript(recordingSid: string, seconds: number): string {
  const random = new SeededRandom([...recordingSid].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 16777619), 2166136261));
  const start = random.integerBetween(0, TRANSCRIPT_SENTENCES.length - 1);
  const count = Math.max(1, Math.round(seconds / 4));
  return Array.from({ length: count }, (_, index) => TRANSCRIPT_SENTENCES[(start + index) % TRANSCRIPT_SENTENCES.length]).join(' ');
}

/** Newest first; among equal dates, the later created first. */
export function newestFirst<T extends { dateCreated: Date }>(items: T[]): T[] {
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => b.item.dateCreated.getTime() - a.item.dateCreated.getTime() || b.index - a.index)
    .map(({ item }) => item);
}
