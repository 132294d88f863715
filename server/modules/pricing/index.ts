export { buildSchedule, validateTerms, methodLabels, InvalidLoanTermsError } from './schedule';
export type { RepaymentMethod, LoanFees, LoanTerms, Instalment, Schedule } from './schedule';
export { irr, allInApr } from './apr';
export { nominalRateForApr } from './rate-for-apr';
export { productFees, productSchedule, productAprRange, APR_LABEL_THRESHOLD, APR_LISTING_CAP } from './product-pricing';
export type { ProductPricingInput } from './product-pricing';
export { priceRange, priceRangeIfOffered, priceFigures, priceFiguresIfOffered, offersChoice, methodFor, COST_SORT_DEFAULT, costSortChoice, compareChoice, formatYuanRange, formatRateRange, priceRangeText } from './price-range';
export type { PriceRange, PriceFigures, PriceChoice } from './price-range';
