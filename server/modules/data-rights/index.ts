export { exportConsumerData, closeConsumerAccount, DataRightsService } from './data-rights';
export { type ErasureRequest } from './erasure';
