export { JobsService, type ClaimResult, type RunEnd } from './jobs.service';
export { jobOutcomes, jobRuns, jobTriggers, type JobOutcome, type JobRun, type JobTrigger } from './jobs.schema';
