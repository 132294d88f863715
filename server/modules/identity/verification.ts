/**
 * Real-name verification providers (实名核验): check that a name and a resident ID number
 * belong together. Production uses a licensed provider (公安身份核验 through a vendor);
 * the development provider makes the flow work end to end without one.
 */
export interface VerificationProvider {
  readonly name: string;
  verify(input: { realName: string; idNumber: string }): Promise<{ matched: boolean; reference: string }>;
}

/**
 * Development provider: any checksum-valid ID matches any plausible name, except names ending
 * in 「测试」, which it reports as a mismatch so the failure path can be tried by hand.
 */
export class DevelopmentVerificationProvider implements VerificationProvider {
  readonly name = 'development';
  async verify(input: { realName: string; idNumber: string }) {
    return { matched: !input.realName.endsWith('测试'), reference: `dev-${Date.now().toString(36)}` };
  }
}
