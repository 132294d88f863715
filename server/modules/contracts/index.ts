export { ContractsService, type SignInput, type ContractListItem } from './contracts.service';
export {
  contractKindLabels,
  templateStatusLabels,
  verifyFailureLabels,
  type ContractKind,
  type ContractTemplate,
  type ContractRow,
  type AgreementKind,
  type VerifyResult,
  type VerifyAllResult,
  type VerifyFailure,
} from './contracts.types';
export { contractKindValues } from './contracts.schema';
export { renderTemplate, templateVariables, MissingVariablesError } from './template-text';
export { loanContractVariables } from './default-templates';
export { contractFont, ContractFontMissingError } from './contract-font';
