/** Errors that become an HTTP answer; the status is the one the client sees. */
export class SimulatorHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends SimulatorHttpError {
  constructor(message: string) {
    super(400, message);
  }
}

export class UnauthorizedError extends SimulatorHttpError {
  constructor() {
    super(401, 'a valid "Authorization: Bearer <token>" header is required');
  }
}

export class NotFoundError extends SimulatorHttpError {
  constructor(path: string) {
    super(404, `no route for ${path}`);
  }
}

export class MethodNotAllowedError extends SimulatorHttpError {
  constructor(
    method: string,
    path: string,
    readonly allowed: readonly string[],
  ) {
    super(405, `${method} is not allowed on ${path}; use ${allowed.join(' or ')}`);
  }
}

export class PayloadTooLargeError extends SimulatorHttpError {
  constructor(limitBytes: number) {
    super(413, `request body is larger than ${limitBytes} bytes`);
  }
}
