/** Why a domain operation was refused. Mapped to HTTP (or WebSocket) errors only at the edge. */
export enum DomainErrorCode {
  NotFound = 'not_found',
  Conflict = 'conflict',
  InvalidInput = 'invalid_input',
  InvalidState = 'invalid_state',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
}

export interface FieldIssue {
  path: string;
  message: string;
}

export class DomainException extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'DomainException';
  }

  static notFound(what: string, id: string): DomainException {
    return new DomainException(DomainErrorCode.NotFound, `${what} ${id} not found`);
  }
}
