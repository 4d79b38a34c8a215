import { Injectable } from '@nestjs/common';

/** Counters since start, reported by /health. */
@Injectable()
export class IngestMetrics {
  messages = 0;
  fixesStored = 0;
  fixesDuplicate = 0;
  eventsStored = 0;
  rejected = 0;
  breaches = 0;
  storeRetries = 0;

  snapshot() {
    return {
      messages: this.messages,
      fixesStored: this.fixesStored,
      fixesDuplicate: this.fixesDuplicate,
      eventsStored: this.eventsStored,
      rejected: this.rejected,
      breaches: this.breaches,
      storeRetries: this.storeRetries,
    };
  }
}
