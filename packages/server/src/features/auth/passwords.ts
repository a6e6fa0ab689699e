import argon2 from 'argon2';

export interface PasswordCost {
  memoryCost: number;
  timeCost: number;
}

/** argon2id hashing with the configured cost; the parameters live in the encoded hash, so old hashes keep verifying. */
export class Passwords {
  private dummy: Promise<string> | undefined;

  constructor(private readonly cost: PasswordCost) {}

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id, memoryCost: this.cost.memoryCost, timeCost: this.cost.timeCost, parallelism: 1 });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /**
   * Spends the same time as a real verification, for unknown usernames: a sign-in must not reveal which
   * usernames exist by answering faster.
   */
  async verifyNothing(password: string): Promise<false> {
    this.dummy ??= this.hash('hearth-dummy-password');
    await this.verify(await this.dummy, password);
    return false;
  }
}
