CREATE TABLE "visitor_keys" (
	"account_id" text PRIMARY KEY NOT NULL,
	"visitor" text NOT NULL
);
