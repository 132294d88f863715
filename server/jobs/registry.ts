import type { Services } from '../container';
import { accountJobs } from '../modules/accounts';
import { applicationJobs } from '../modules/applications';
import { catalogueJobs } from '../modules/catalogue';
import { feedbackJobs } from '../modules/feedback';
import { institutionJobs } from '../modules/institutions';
import { loanJobs } from '../modules/loans';
import { notificationJobs } from '../modules/notifications';
import { settlementJobs } from '../modules/settlement';
import { channelPayoutJobs } from '../modules/channel-payouts';
import { webhookJobs } from '../modules/webhooks';
import { oddsJobs } from '../modules/odds';
import { channelJobs } from '../modules/channels';
import { analyticsJobs } from '../modules/analytics';
import { isTicker, type BackgroundWork, type JobDefinition } from './job';

/** The cron jobs of the platform (without the tickers). */
export function allJobs(services: Omit<Services, 'scheduler'>): JobDefinition[] {
  return allWork(services).filter((work): work is JobDefinition => !isTicker(work));
}

/**
 * Every scheduled job and ticker of the platform, in one place. Each domain declares its own
 * work (its *.jobs.ts); this list only gathers them for the scheduler.
 */
export function allWork(services: Omit<Services, 'scheduler'>): BackgroundWork[] {
  return [
    ...applicationJobs(services.applications, services.offers, services.authorizationLetters),
    ...institutionJobs(services.licences),
    ...feedbackJobs(services.complaints),
    ...accountJobs(services.accounts),
    ...loanJobs(services.postLoan, services.scheduleChanges),
    ...notificationJobs(services.notifications, (accountId, now) => services.accounts.smsWindow(accountId, now)),
    ...settlementJobs(services.statements, services.settlement, services.settlement),
    ...channelPayoutJobs(services.channelPayouts),
    ...catalogueJobs(services.catalogue),
    ...webhookJobs(services.webhooks),
    ...oddsJobs(services.odds),
    ...channelJobs(services.channels),
    ...analyticsJobs(services.bi),
  ];
}
