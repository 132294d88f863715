import path from 'node:path';
import { connectSharedState, type SharedState } from './adapters/redis';
import type { Config } from './config';
import { openDatabase, type DatabaseHandle } from './db/client';
import { runDataSteps } from './db/data-steps';
import { createLogger, type Logger } from './lib/logger';
import { PiiCipher } from './lib/pii';
import { AccountsService, LoginThrottle, MfaService, StaffService } from './modules/accounts';
import { ApplicationsService, SubmissionService } from './modules/applications';
import { ConsentsService } from './modules/consents';
import { DevelopmentVerificationProvider, IdentityService } from './modules/identity';
import { DataRightsService } from './modules/data-rights';
import { MessagesService } from './modules/messages';
import { WebhooksService } from './modules/webhooks';
import { PrescreenService } from './modules/prescreen';
import { RiskService, type RiskThresholds } from './modules/risk';
import { DocumentsService, type DocumentQuotas } from './modules/documents';
import { LocalBlobStore, SealedBlobStore } from './adapters/storage';
import { AnalyticsService } from './modules/analytics';
import { AuditService } from './modules/audit';
import { CatalogueService } from './modules/catalogue';
import { IdempotencyService } from './modules/idempotency';
import { InstitutionsService, LicencesService, OnboardingService } from './modules/institutions';
import { ReconciliationService, SettlementService, StatementsService } from './modules/settlement';
import { StripeGateway, type StripeSettings } from './adapters/stripe';
import { SettingsService } from './modules/settings';
import { ContentService } from './modules/content';
import { RecommendationsService } from './modules/recommendations';
import { NotificationsService, OutboxProvider, type MessageProvider } from './modules/notifications';
import { type SearchIndex } from './modules/search';
import { createSearchIndex } from './adapters/elasticsearch';
import { HttpGatewayProvider } from './adapters/sms';
import { ComplaintsService, ReviewsService } from './modules/feedback';
import { ProductsService } from './modules/products';
import { PromotionsService } from './modules/promotions';
import { RankingService } from './modules/ranking';
import { JobsService } from './modules/jobs';
import { allJobs } from './jobs/registry';
import { Scheduler } from './jobs/scheduler';
import { CollectionsService, LoansService, PostLoanService } from './modules/loans';

export interface Services {
  accounts: AccountsService;
  institutions: InstitutionsService;
  catalogue: CatalogueService;
  applications: ApplicationsService;
  settlement: SettlementService;
  statements: StatementsService;
  reconciliation: ReconciliationService;
  audit: AuditService;
  idempotency: IdempotencyService;
  recommendations: RecommendationsService;
  notifications: NotificationsService;
  identity: IdentityService;
  consents: ConsentsService;
  submission: SubmissionService;
  dataRights: DataRightsService;
  messages: MessagesService;
  webhooks: WebhooksService;
  prescreen: PrescreenService;
  risk: RiskService;
  documents: DocumentsService;
  settings: SettingsService;
  staff: StaffService;
  mfa: MfaService;
  onboarding: OnboardingService;
  licences: LicencesService;
  complaints: ComplaintsService;
  reviews: ReviewsService;
  analytics: AnalyticsService;
  content: ContentService;
  products: ProductsService;
  promotions: PromotionsService;
  ranking: RankingService;
  /** run records of the scheduled jobs */
  jobs: JobsService;
  /** the scheduled jobs (server/jobs/registry.ts); started in the worker role only, runs on demand anywhere */
  scheduler: Scheduler;
  loans: LoansService;
  postLoan: PostLoanService;
  collections: CollectionsService;
}

export interface HealthCheck {
  name: 'database' | 'redis' | 'search';
  check(): Promise<void>;
}

export interface Container {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  shared: SharedState;
  pii: PiiCipher;
  search: SearchIndex;
  services: Services;
  health: HealthCheck[];
  close(): Promise<void>;
}

export function createServices(
  database: DatabaseHandle,
  pii: PiiCipher,
  search: SearchIndex,
  shared: SharedState,
  messages: MessageProvider = new OutboxProvider(),
  options: {
    /** lead webhooks may target this machine (WEBHOOK_ALLOW_LOOPBACK, local testing only) */
    webhookAllowLoopback?: boolean;
    /** PUBLIC_URL: the origin of links sent outside the page (SMS) */
    publicUrl: string;
    risk?: RiskThresholds;
    documentQuotas?: DocumentQuotas;
    documentsDir?: string;
    mediaDir?: string;
    logger?: Logger;
    stripe?: Partial<StripeSettings>;
  },
): Services {
  const db = database.db;
  const audit = new AuditService(db, pii);
  const notifications = new NotificationsService(db, pii, messages, audit);
  const consents = new ConsentsService(db, audit);
  const settings = new SettingsService(db, audit);
  const riskDefaults = options.risk ?? { maxAccountsPerDevice: 3, maxApplicationsPerDay: 10 };
  const risk = new RiskService(db, pii, async () => ({
    maxAccountsPerDevice: await settings.getOr('risk.maxAccountsPerDevice', riskDefaults.maxAccountsPerDevice),
    maxApplicationsPerDay: await settings.getOr('risk.maxApplicationsPerDay', riskDefaults.maxApplicationsPerDay),
  }));
  const throttle = new LoginThrottle(db);
  const mfa = new MfaService(db, pii, audit, throttle);
  const accounts = new AccountsService(db, pii, notifications, audit, mfa, throttle, risk);
  const identity = new IdentityService(db, pii, new DevelopmentVerificationProvider(), audit, accounts, risk);
  const webhooks = new WebhooksService(db, pii, audit, { allowLoopback: options.webhookAllowLoopback ?? false });
  const prescreen = new PrescreenService(db, audit);
  const settlement = new SettlementService(db, pii, audit);
  // Stripe when a secret key is configured; otherwise institutions pay by bank transfer
  const statements = new StatementsService(db, audit, options.stripe?.secretKey ? new StripeGateway({ ...options.stripe, secretKey: options.stripe.secretKey }) : null);
  const catalogue = new CatalogueService(db, search, shared.cache);
  const ranking = new RankingService(db, audit);
  const promotions = new PromotionsService(db, audit);
  // 综合排序 reads the weights in force, the promotions running now and each product's complaint rate
  let complaintRate = (_productId: string) => 0;
  catalogue.useRankingSignals({ weights: () => ranking.weights(), promotedNow: () => promotions.activeNow(), complaintRate: (id) => complaintRate(id) });
  ranking.onChange = promotions.onChange = () => catalogue.invalidateResults();
  const blobs = new SealedBlobStore(new LocalBlobStore(options.documentsDir ?? path.join(process.cwd(), 'data', 'documents')), pii);
  const staff = new StaffService(db, pii, accounts, audit);
  const loans = new LoansService(db, notifications, audit);
  const applications = new ApplicationsService(db, pii, catalogue, settlement, audit, notifications, consents, accounts, risk, loans);
  const products = new ProductsService(db, catalogue, settings, audit);
  const complaints = new ComplaintsService(db, audit, notifications, settings, identity, applications, pii);
  complaintRate = (id) => complaints.complaintRate(id);
  const jobs = new JobsService(db);
  const services: Services = {
    jobs,
    scheduler: undefined as unknown as Scheduler, // set below: the jobs need the other services
    accounts,
    institutions: new InstitutionsService(db, audit),
    catalogue,
    applications,
    dataRights: new DataRightsService({ db, accounts, identity, consents, applications, notifications, audit }),
    messages: new MessagesService(db, consents, accounts, notifications),
    submission: new SubmissionService(db, pii, catalogue, accounts, identity, consents, audit, webhooks, prescreen, notifications, settlement, risk),
    webhooks,
    prescreen,
    risk,
    documents: new DocumentsService(db, blobs, consents, audit, options.documentQuotas),
    settlement,
    statements,
    reconciliation: new ReconciliationService(db, audit, statements),
    audit,
    idempotency: new IdempotencyService(db),
    settings,
    staff,
    mfa,
    onboarding: new OnboardingService(db, pii, blobs, staff, notifications, audit, options.publicUrl),
    licences: new LicencesService(db, settings, products, audit),
    complaints,
    reviews: new ReviewsService(db, audit, identity, applications),
    analytics: new AnalyticsService(db, audit),
    content: new ContentService(db, audit, new LocalBlobStore(options.mediaDir ?? path.join(process.cwd(), 'data', 'media')), pii),
    products,
    promotions,
    ranking,
    loans,
    postLoan: new PostLoanService(db, notifications, accounts, settings, risk, audit),
    collections: new CollectionsService(db, settings, audit, accounts, pii),
    recommendations: new RecommendationsService(catalogue),
    notifications,
    identity,
    consents,
  };
  services.scheduler = new Scheduler(allJobs(services), { locks: shared.locks, runs: jobs, logger: options.logger });
  return services;
}

/** Wires adapters → services once. Opens the database and Redis; runs migrations. */
export async function createContainer(
  config: Config,
  overrides: { database?: DatabaseHandle; shared?: SharedState; logger?: Logger } = {},
): Promise<Container> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const database =
    overrides.database ??
    (await openDatabase({ url: config.databaseUrl, dir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite') }));
  await database.migrate();
  const pii = new PiiCipher(config.piiKeys);
  // conversions that need the PII key: personal data kept in clear by older versions is sealed now
  await runDataSteps(database.db, pii, logger);
  const shared = overrides.shared ?? (await connectSharedState(config.redisUrl, config.redisPrefix, { logger }));
  const search = createSearchIndex(config.elasticsearchUrl);
  const messages =
    config.sms.gatewayUrl && config.sms.gatewaySecret ? new HttpGatewayProvider(config.sms.gatewayUrl, config.sms.gatewaySecret) : new OutboxProvider();
  const services = createServices(database, pii, search, shared, messages, {
    webhookAllowLoopback: config.webhooks.allowLoopback,
    publicUrl: config.publicUrl,
    risk: config.risk,
    documentQuotas: config.documentQuotas,
    documentsDir: path.join(config.dataDir, 'documents'),
    mediaDir: path.join(config.dataDir, 'media'),
    logger,
    stripe: config.stripe,
  });
  await services.catalogue.start({ watch: config.env !== 'test' });
  // every instance ranks with the complaint rates of the last 90 days, kept in memory and refreshed
  await services.complaints.refreshProductRates();
  const complaintRates = setInterval(() => void services.complaints.refreshProductRates().catch((err: unknown) => logger.error({ err }, 'complaint rates refresh failed')), 15 * 60_000);
  complaintRates.unref();
  const health: HealthCheck[] = [
    { name: 'database', check: () => database.ping() },
    { name: 'redis', check: () => shared.ping() },
    { name: 'search', check: () => search.ping() },
  ];
  return {
    config,
    logger,
    database,
    shared,
    pii,
    search,
    services,
    health,
    close: async () => {
      await services.scheduler.stop();
      clearInterval(complaintRates);
      await services.catalogue.stop();
      await search.close();
      await shared.close();
      await database.close();
    },
  };
}
