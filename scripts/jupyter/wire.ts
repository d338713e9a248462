/**
 * The Jupyter messaging protocol's wire format (version 5.3): a message is a list of ZeroMQ
 * frames `[...routing ids, '<IDS|MSG>', hmac, header, parent_header, metadata, content, ...buffers]`,
 * where hmac is the HMAC-SHA256 of the four JSON frames under the connection key.
 * See https://jupyter-client.readthedocs.io/en/latest/messaging.html#the-wire-protocol.
 */
import { createHmac, randomUUID } from 'node:crypto';

/** The frame that separates routing ids from the signed message. */
export const DELIMITER = Buffer.from('<IDS|MSG>');

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = '5.3';

/** A message header. */
export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

/** A decoded Jupyter message. */
export interface JupyterMessage<C = Record<string, unknown>> {
  header: MessageHeader;
  /** The header of the request this message answers, or {} . */
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
}

/** Thrown for a frame list that is not a valid, correctly signed message. */
export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

/** Returns the hex HMAC-SHA256 of the JSON frames under `key` (the empty string when key is empty). */
export function signFrames(key: string, frames: (string | Buffer)[]): string {
  if (key === '') return '';
  const hmac = createHmac('sha256', key);
  for (const f of frames) hmac.update(f);
  return hmac.digest('hex');
}

/** Returns a new message with a fresh header of `msgType` in `session`. */
export function newMessage<C>(msgType: string, content: C, session: string): JupyterMessage<C> {
  return {
    header: { msg_id: randomUUID(), msg_type: msgType, session, username: 'mmckd', date: new Date().toISOString(), version: PROTOCOL_VERSION },
    parent_header: {},
    metadata: {},
    content,
  };
}

/** Returns the frames of `message`, signed with `key` (a DEALER socket adds no routing id). */
export function encodeMessage(message: JupyterMessage<unknown>, key: string): (string | Buffer)[] {
  const json = [message.header, message.parent_header, message.metadata, message.content].map((part) => JSON.stringify(part));
  return [DELIMITER, signFrames(key, json), ...json];
}

/** Returns the message in `frames`; throws WireFormatError naming what is wrong (no delimiter, bad signature). */
export function decodeMessage(frames: Buffer[], key: string): JupyterMessage {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0) throw new WireFormatError(`Expected a '<IDS|MSG>' frame among ${frames.length} frames, but found none`);
  if (frames.length < at + 6) throw new WireFormatError(`Expected 4 JSON frames after the signature, but got ${frames.length - at - 2}`);
  const signature = frames[at + 1].toString('ascii');
  const json = frames.slice(at + 2, at + 6);
  const expected = signFrames(key, json);
  if (signature !== expected) throw new WireFormatError(`Expected the message signature ${expected}, but got ${signature || '(none)'}`);
  const [header, parent, metadata, content] = json.map((f) => JSON.parse(f.toString('utf8')) as Record<string, unknown>);
  return { header: header as unknown as MessageHeader, parent_header: parent as Partial<MessageHeader>, metadata, content };
}
