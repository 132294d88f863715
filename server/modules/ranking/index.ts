export { rankProducts, defaultWeights, weightLabels, type RankingWeights, type RankCandidate } from './rank';
export { RankingService, rankingWeightsSchema, type RankingRule } from './ranking.service';
