export { CatalogueService, type ProductView, type ProductRow, type ProductQuery, type ProductPage, type NewProduct } from './catalogue.service';
export { productCategories, repaymentMethods, productStatuses, type RepaymentMethod, type Eligibility, type ProductStatus } from './catalogue.schema';
