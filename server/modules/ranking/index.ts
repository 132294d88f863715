export { rankProducts, rankColumns, scoreColumns, rankOrder, defaultWeights, weightLabels, type RankingWeights, type RankCandidate, type RankColumns } from './rank';
export { RankingService, rankingWeightsSchema, type RankingRule } from './ranking.service';
