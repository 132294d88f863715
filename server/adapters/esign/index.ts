import type { ContractsService, SignInput } from '../../modules/contracts';

/**
 * The port a licensed e-signature service (法大大, e签宝 and the like) plugs into. Their shape:
 * create a signing flow for a document and its signers, the provider calls back when the signer
 * has signed (with the provider's own certificate and timestamp), and the signed file is fetched.
 * The local provider signs at once with the platform's own evidence chain
 * (server/modules/contracts); a licensed one is added beside it and chosen by ESIGN_PROVIDER
 * (docs/contracts.md says how).
 */
/** What to sign: the contracts module's own signing input (one shape for every provider). */
export type SigningRequest = SignInput;

export interface SigningFlow {
  /** the provider's id of the flow (the local provider: the contract id) */
  flowId: string;
  status: 'signed' | 'waiting_for_signer';
  /** where the signer signs, for a remote provider; none for the local one */
  signUrl?: string;
  /** the contract as stored here, once signed */
  contract?: { id: string; sha256: string };
}

export interface SigningCallback {
  flowId: string;
  status: 'signed' | 'refused' | 'expired';
}

export interface ESignProvider {
  readonly name: string;
  createSigningFlow(request: SigningRequest): Promise<SigningFlow>;
  /** verifies and reads a provider's callback (signature checked against the raw body) */
  handleCallback(rawBody: Buffer, headers: Record<string, string | undefined>): Promise<SigningCallback>;
  fetchSignedFile(flowId: string): Promise<Buffer>;
}

/** Signs in process: the contract is rendered, stored encrypted and chained at once; no callbacks. */
export class LocalESignProvider implements ESignProvider {
  readonly name = 'local';
  constructor(private readonly contracts: ContractsService) {}

  async createSigningFlow(request: SigningRequest): Promise<SigningFlow> {
    const contract = await this.contracts.sign(request);
    return { flowId: contract.id, status: 'signed', contract };
  }

  handleCallback(): Promise<SigningCallback> {
    return Promise.reject(new Error('the local e-signature provider signs at once and receives no callbacks'));
  }

  async fetchSignedFile(flowId: string): Promise<Buffer> {
    return this.contracts.pdfOf(flowId);
  }
}

export function createESignProvider(name: 'local', deps: { contracts: ContractsService }): ESignProvider {
  switch (name) {
    case 'local':
      return new LocalESignProvider(deps.contracts);
  }
}
