/** A set of the newest `bound` keys added; adding past the bound forgets the oldest. */
export class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly bound: number) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.bound) this.keys.delete(this.keys.values().next().value!);
  }

  delete(key: string): void {
    this.keys.delete(key);
  }
}
