import { Injectable } from '@nestjs/common';

/** Flipped when SIGTERM arrives, so readiness fails before the server stops accepting connections. */
@Injectable()
export class ShutdownState {
  stopping = false;
}
