// The catalog module's public surface: other code imports these, never the files behind them.
export { CatalogCache, dropCacheAfterWrites } from './cache.ts';
export { ImagesService, processImage } from './images.service.ts';
export { mediaUrl, thumbnailKeyColumn, type MediaUrls } from './media.ts';
export { ProductsService } from './products.service.ts';
export { PublicCatalog } from './public-catalog.ts';
export { productRating, recordRating, reviewableProduct, type ProductRating } from './ratings.ts';
export { catalogHandlers } from './routes.ts';
export { rebuildSearchIndex, syncSearchIndex } from './search-documents.ts';
export { FOLD_SOLD_COUNTS, foldSoldCounts, scheduleSoldCountFold } from './sold-counts.ts';
