export { PromotionsService, promotionKindLabels, promotionStatusLabels, type Promotion, type PromotionWithNames } from './promotions.service';
export { promotionKinds, promotionStatuses, type PromotionKind, type PromotionStatus } from './promotions.schema';
