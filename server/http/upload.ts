import multer from 'multer';
import { MAX_DOCUMENT_BYTES } from '../modules/documents';

/** One file in memory, at most 5 MB (the type is judged later by its bytes). */
export const singleUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 10 } }).single('file');
