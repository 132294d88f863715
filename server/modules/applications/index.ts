export {
  ApplicationsService,
  type ApplicationView,
  type ApplicationDetail,
  type NewApplication,
  type StatusChange,
} from './applications.service';
export { canTransition, nextStatuses, isTerminal, statusLabels, rejectReasons, type RejectReason, type Actor } from './status-machine';
export { applicationStatuses, type ApplicationStatus } from './applications.schema';
