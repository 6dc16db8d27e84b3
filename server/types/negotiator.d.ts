// negotiator 1.x takes a server preference for equally accepted encodings (`preferred`), which
// @types/negotiator (0.6) does not describe yet; only the part the app uses is declared here.
declare module 'negotiator' {
  import type { IncomingMessage } from 'node:http';

  export default class Negotiator {
    constructor(request: IncomingMessage);
    encoding(available: readonly string[], options?: { preferred?: readonly string[] }): string | undefined;
  }
}
