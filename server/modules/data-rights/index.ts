export { exportConsumerData, closeConsumerAccount, DataRightsService } from './data-rights';
