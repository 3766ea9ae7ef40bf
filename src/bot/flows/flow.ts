import type { FlowName } from "../state.js";
import type { Turn } from "../turn.js";

/**
 * A flow owns its steps and its texts: intake, my cases, the respondent's reply, a person (handoff),
 * and those still to come (booking, signing, rating). The router decides intents and commands first,
 * then hands the message to the active flow.
 */
export interface Flow {
  name: FlowName;
  /**
   * Handle the message at the flow's current step. Returns false when the message was not understood
   * there (the flow has asked its question again); two of those in a row bring in a person.
   */
  handle(turn: Turn): Promise<boolean>;
  /** Ask the current question again, after an interruption (status shown, language changed, a person). */
  resume(turn: Turn): void;
}
