package dev.campaignctl.core.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.json.Fields;
import java.math.BigDecimal;
import java.time.Instant;

/** A campaign to create. A campaign created without a status is active, as the reference expects. */
public record NewCampaign(
        String name,
        String description,
        CampaignStatus status,
        Instant startsAt,
        Instant endsAt,
        EvaluationMode evaluation,
        BigDecimal budgetTotal,
        BigDecimal customerCap,
        String pointsValidFor) {

    public static final int MAX_NAME = 200;
    public static final int MAX_DESCRIPTION = 10_000;

    public NewCampaign {
        if (name == null || name.isBlank()) {
            throw ApiException.invalid("name", "is required");
        }
        if (name.length() > MAX_NAME) {
            throw ApiException.invalid("name", "must be at most " + MAX_NAME + " characters");
        }
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw ApiException.invalid("description", "must be at most " + MAX_DESCRIPTION + " characters");
        }
        status = status == null ? CampaignStatus.ACTIVE : status;
        evaluation = evaluation == null ? EvaluationMode.FIRST : evaluation;
        Limits.check("budget_total", budgetTotal);
        Limits.check("customer_cap", customerCap);
        checkWindow(startsAt, endsAt);
        PointsValidity.check(pointsValidFor);
    }

    public NewCampaign(String name, String description, CampaignStatus status, Instant startsAt, Instant endsAt,
                       EvaluationMode evaluation, BigDecimal budgetTotal, BigDecimal customerCap) {
        this(name, description, status, startsAt, endsAt, evaluation, budgetTotal, customerCap, null);
    }

    public NewCampaign(String name, String description, CampaignStatus status, Instant startsAt, Instant endsAt) {
        this(name, description, status, startsAt, endsAt, null, null, null, null);
    }

    public static NewCampaign of(String name) {
        return new NewCampaign(name, null, null, null, null);
    }

    public static NewCampaign fromJson(JsonNode body) {
        Fields.object(body, "campaign");
        String status = Fields.text(body, "status", false, 20);
        return new NewCampaign(
                Fields.text(body, "name", true, MAX_NAME),
                Fields.text(body, "description", false, MAX_DESCRIPTION),
                status == null ? null : CampaignStatus.parse("status", status),
                Fields.instant(body, "starts_at"),
                Fields.instant(body, "ends_at"),
                Limits.mode(body),
                Limits.read(body, "budget_total"),
                Limits.read(body, "customer_cap"),
                Fields.text(body, "points_valid_for", false, 40));
    }

    static void checkWindow(Instant startsAt, Instant endsAt) {
        if (startsAt != null && endsAt != null && !endsAt.isAfter(startsAt)) {
            throw ApiException.invalid("ends_at", "must be after starts_at");
        }
    }
}
