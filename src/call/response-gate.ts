/**
 * Sequences `response.create`: only one response may write to the conversation at a time, and a
 * create sent while one is active is refused (`conversation_already_has_active_response`) with
 * nothing following. So requests wait for `response.done`, and several collapse into one.
 */
export class ResponseGate {
  private active: string | undefined;
  /** A create was sent and its `response.created` has not come yet. */
  private requested = false;
  private wanted: { instructions?: string } | undefined;
  /** Instructions of the create in flight, replayed if the service refuses it. */
  private sentInstructions: string | undefined;

  constructor(private readonly create: (instructions?: string) => void) {}

  /** The id of the response being generated, if any. */
  get activeResponseId(): string | undefined {
    return this.active;
  }

  get isActive(): boolean {
    return this.active !== undefined || this.requested;
  }

  /** Asks for one response now, or as soon as the active one is done. */
  request(instructions?: string): void {
    if (this.isActive) {
      // A later request with instructions wins over a plain one; two plain ones are one.
      if (!this.wanted || instructions !== undefined) this.wanted = { instructions };
      return;
    }
    this.requested = true;
    this.sentInstructions = instructions;
    this.create(instructions);
  }

  onCreated(responseId: string): void {
    this.active = responseId;
    this.requested = false;
  }

  onDone(responseId: string): void {
    if (this.active !== undefined && this.active !== responseId) return;
    this.active = undefined;
    this.requested = false;
    this.flush();
  }

  /**
   * The service refused our create because it had just started one itself (its
   * `response.created` is still on the way): retry after that response's `response.done`.
   */
  onCreateRefused(): void {
    this.requested = false;
    if (!this.wanted || this.sentInstructions !== undefined) {
      this.wanted = { instructions: this.sentInstructions };
    }
  }

  private flush(): void {
    const next = this.wanted;
    if (!next) return;
    this.wanted = undefined;
    this.request(next.instructions);
  }
}
