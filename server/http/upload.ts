import type { RequestHandler } from 'express';
import multer from 'multer';
import { MAX_DOCUMENT_BYTES } from '../modules/documents';
import { refuseUnstorableBody } from './safe-input';

/** multer, then the edge check on the text fields it parsed (the app-wide one ran before the multipart body was read). */
const checked =
  (upload: RequestHandler): RequestHandler =>
  (req, res, next) =>
    upload(req, res, (err?: unknown) => (err ? next(err) : refuseUnstorableBody(req, res, next)));

/** One file in memory, at most 5 MB (the type is judged later by its bytes). */
export const singleUpload = checked(multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 10 } }).single('file'));

/** A licence scan on the institution join form (field `licence`), at most 5 MB, with the form's text fields. */
export const licenceUpload = checked(multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 30 } }).single('licence'));
