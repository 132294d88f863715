export { DocumentsService, documentKinds, allowedDocumentTypes, MAX_DOCUMENT_BYTES, type DocumentRow, type DocumentKind } from './documents.service';
