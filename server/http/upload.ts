import multer from 'multer';
import { MAX_DOCUMENT_BYTES } from '../modules/documents';

/** One file in memory, at most 5 MB (the type is judged later by its bytes). */
export const singleUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 10 } }).single('file');

/** A licence scan on the institution join form (field `licence`), at most 5 MB, with the form's text fields. */
export const licenceUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 30 } }).single('licence');
