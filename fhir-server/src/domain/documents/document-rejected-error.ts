/** Why an upload was refused; http/ turns each into its 4xx OperationOutcome. */
export type RejectionReason = 'too-large' | 'empty' | 'content-type' | 'file-name' | 'interrupted';

export class DocumentRejectedError extends Error {
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'DocumentRejectedError';
  }
}
