CREATE TABLE "odds_facts" (
	"application_id" text PRIMARY KEY NOT NULL,
	"credit_score" integer,
	"monthly_income_fen" bigint,
	"monthly_debt_fen" bigint,
	"employment" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "odds_history" (
	"id" text PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"institution_id" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"credit_score" integer,
	"monthly_income_fen" bigint,
	"monthly_debt_fen" bigint,
	"employment" text,
	"approved" boolean NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "odds_models" (
	"id" text PRIMARY KEY NOT NULL,
	"fitted_at" timestamp with time zone NOT NULL,
	"model" jsonb NOT NULL,
	"decisions" integer NOT NULL,
	"held_out" integer NOT NULL,
	"data_through" timestamp with time zone,
	"brier" double precision NOT NULL,
	"brier_base_rate" double precision NOT NULL,
	"log_loss" double precision NOT NULL,
	"log_loss_base_rate" double precision NOT NULL,
	"ece" double precision NOT NULL,
	"fit_ms" integer NOT NULL,
	"trigger" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "odds_facts" ADD CONSTRAINT "odds_facts_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "odds_history" ADD CONSTRAINT "odds_history_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "odds_history" ADD CONSTRAINT "odds_history_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "odds_history_institution_idx" ON "odds_history" USING btree ("institution_id","decided_at");--> statement-breakpoint
CREATE INDEX "odds_history_product_idx" ON "odds_history" USING btree ("product_id");--> statement-breakpoint
CREATE INDEX "odds_models_fitted_idx" ON "odds_models" USING btree ("fitted_at");