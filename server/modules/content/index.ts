export { ContentService, articleStatusLabels, MAX_IMAGE_BYTES, type ArticleListItem, type ArticleRow, type CampaignRow, type CategoryRow } from './content.service';
export { articleInput, articleListFilter, campaignInput, categoryInput, slugPattern, type ArticleInput, type ArticleListFilter, type CampaignInput, type CategoryInput } from './content.inputs';
export { articleStatuses, campaignStatuses, type ArticleStatus, type CampaignStatus } from './content.schema';
export { htmlToText, sanitizeArticleHtml } from './sanitize';
