CREATE TABLE "feedback_items" (
	"id" text PRIMARY KEY NOT NULL,
	"consumer_id" text NOT NULL,
	"category" text NOT NULL,
	"body" text NOT NULL,
	"page_path" text,
	"status" text DEFAULT 'open' NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"assignee_id" text,
	"answer" text,
	"answered_by" text,
	"answered_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"screenshot_key" text,
	"screenshot_mime" text,
	"screenshot_size" integer,
	"screenshot_sha256" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feedback_items_screenshot_check" CHECK (("feedback_items"."screenshot_key" is null) = ("feedback_items"."screenshot_mime" is null)),
	CONSTRAINT "feedback_items_answer_check" CHECK (("feedback_items"."answer" is null) = ("feedback_items"."answered_at" is null))
);
--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_consumer_id_accounts_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_assignee_id_accounts_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_items" ADD CONSTRAINT "feedback_items_answered_by_accounts_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feedback_items_consumer_idx" ON "feedback_items" USING btree ("consumer_id","created_at");--> statement-breakpoint
CREATE INDEX "feedback_items_queue_idx" ON "feedback_items" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "feedback_items_tags_idx" ON "feedback_items" USING gin ("tags");