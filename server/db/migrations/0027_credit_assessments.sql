CREATE TABLE "credit_assessments" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"score" integer NOT NULL,
	"band" text NOT NULL,
	"source" text NOT NULL,
	"answers_enc" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credit_assessments" ADD CONSTRAINT "credit_assessments_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credit_assessments_account_idx" ON "credit_assessments" USING btree ("account_id","created_at");