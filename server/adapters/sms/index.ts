export { HttpGatewayProvider } from './http-gateway';
