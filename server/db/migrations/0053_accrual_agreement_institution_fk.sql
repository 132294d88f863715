ALTER TABLE "commission_accruals" DROP CONSTRAINT "commission_accruals_institution_id_institutions_id_fk";
--> statement-breakpoint
ALTER TABLE "commission_accruals" DROP CONSTRAINT "commission_accruals_agreement_id_agreements_id_fk";
--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_id_institution_uq" UNIQUE("id","institution_id");--> statement-breakpoint
ALTER TABLE "commission_accruals" ADD CONSTRAINT "commission_accruals_agreement_institution_fk" FOREIGN KEY ("agreement_id","institution_id") REFERENCES "public"."agreements"("id","institution_id") ON DELETE no action ON UPDATE no action;
