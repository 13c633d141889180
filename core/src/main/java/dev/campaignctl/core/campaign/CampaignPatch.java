package dev.campaignctl.core.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Fields;
import java.math.BigDecimal;
import java.time.Instant;

/** A partial update of a campaign: null fields stay as they are. */
public record CampaignPatch(
        String name,
        String description,
        CampaignStatus status,
        Instant startsAt,
        Instant endsAt,
        EvaluationMode evaluation,
        BigDecimal budgetTotal,
        BigDecimal customerCap,
        String pointsValidFor) {

    public CampaignPatch {
        if (name != null && (name.isBlank() || name.length() > NewCampaign.MAX_NAME)) {
            throw ApiException.invalid("name", "must be 1 to " + NewCampaign.MAX_NAME + " characters");
        }
        if (description != null && description.length() > NewCampaign.MAX_DESCRIPTION) {
            throw ApiException.invalid("description", "must be at most " + NewCampaign.MAX_DESCRIPTION + " characters");
        }
        Limits.check("budget_total", budgetTotal);
        Limits.check("customer_cap", customerCap);
        PointsValidity.check(pointsValidFor);
        if (name == null && description == null && status == null && startsAt == null && endsAt == null
                && evaluation == null && budgetTotal == null && customerCap == null && pointsValidFor == null) {
            throw ApiException.invalid(null, "nothing to update: give name, description, status, starts_at, ends_at,"
                    + " evaluation, budget_total, customer_cap or points_valid_for");
        }
    }

    public CampaignPatch(String name, String description, CampaignStatus status, Instant startsAt, Instant endsAt,
                         EvaluationMode evaluation, BigDecimal budgetTotal, BigDecimal customerCap) {
        this(name, description, status, startsAt, endsAt, evaluation, budgetTotal, customerCap, null);
    }

    public CampaignPatch(String name, String description, CampaignStatus status, Instant startsAt, Instant endsAt) {
        this(name, description, status, startsAt, endsAt, null, null, null, null);
    }

    public static CampaignPatch status(CampaignStatus status) {
        return new CampaignPatch(null, null, status, null, null);
    }

    public static CampaignPatch fromJson(JsonNode body) {
        Fields.object(body, "campaign update");
        String status = Fields.text(body, "status", false, 20);
        return new CampaignPatch(
                Fields.text(body, "name", false, NewCampaign.MAX_NAME),
                Fields.text(body, "description", false, NewCampaign.MAX_DESCRIPTION),
                status == null ? null : CampaignStatus.parse("status", status),
                Fields.instant(body, "starts_at"),
                Fields.instant(body, "ends_at"),
                Limits.mode(body),
                Limits.read(body, "budget_total"),
                Limits.read(body, "customer_cap"),
                Fields.text(body, "points_valid_for", false, 40));
    }

    /** The campaign after this patch, validated as a whole (a window that ends before it starts is refused). */
    public Campaign applyTo(Campaign current) {
        if (status != null && !current.status().canMoveTo(status)) {
            throw ApiException.conflict("status",
                    "campaign " + current.id() + " is ended and cannot become " + status.wire());
        }
        if (budgetTotal != null && budgetTotal.compareTo(current.budgetSpent()) < 0) {
            throw ApiException.conflict("budget_total", "campaign " + current.id() + " has already paid "
                    + current.budgetSpent().toPlainString() + " points; the budget cannot be lower");
        }
        Instant start = startsAt != null ? startsAt : current.startsAt();
        Instant end = endsAt != null ? endsAt : current.endsAt();
        NewCampaign.checkWindow(start, end);
        return new Campaign(current.id(),
                name != null ? name : current.name(),
                description != null ? description : current.description(),
                status != null ? status : current.status(),
                start, end,
                evaluation != null ? evaluation : current.evaluation(),
                budgetTotal != null ? budgetTotal : current.budgetTotal(),
                current.budgetSpent(),
                customerCap != null ? customerCap : current.customerCap(),
                current.createdAt(), current.updatedAt(),
                pointsValidFor != null ? pointsValidFor : current.pointsValidFor());
    }
}
