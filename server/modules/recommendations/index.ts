export { RecommendationsService, purposeCategories, type Recommendation, type RecommendationRequest, type LeftOut } from './recommendations.service';
