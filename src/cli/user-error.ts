// A problem the user can fix (a missing file, a bad option): printed as it is, exit 2 by
// default. Its own module, so main.ts catches it without loading any command.
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
