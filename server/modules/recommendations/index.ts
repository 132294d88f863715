export { RecommendationsService, purposeCategories, type Recommendation, type RecommendationRequest } from './recommendations.service';
