/**
 * Runs tasks one at a time per key, in arrival order, within this process. Two messages from the same
 * resident at the same instant are handled in turn instead of racing on the same dialogue state; other
 * residents are not held up. (Across processes, the conversation's version column catches the race.)
 */
export class KeyedLock {
  private tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
